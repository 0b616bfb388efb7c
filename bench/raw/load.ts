// Child: the floor of loading the library: just the provider classes it uses ($BENCH_MODULES, deep paths).
import { env, now, report } from '../support/child';
import { loadedModules } from '../support/modules';

const modules: string[] = JSON.parse(env('BENCH_MODULES'));
const before = now();
for (const m of modules) require(m);
const loadMs = now() - before;
report({ loadMs, modules: loadedModules() });
