// Child: where the library's load time goes beyond the floor. Loads the provider classes first
// ($BENCH_MODULES), then times each of the library's runtime dependencies ($BENCH_PACKAGES) and
// finally lib/index itself (its own files and whatever is left).
import { join } from 'path';
import { env, now, report } from '../support/child';

for (const m of JSON.parse(env('BENCH_MODULES')) as string[]) require(m);
const marginalMs: Record<string, number> = {};
for (const pkg of JSON.parse(env('BENCH_PACKAGES')) as string[]) {
  const before = now();
  require(pkg);
  marginalMs[pkg] = now() - before;
}
const before = now();
require(join(__dirname, '..', '..', 'lib', 'index'));
marginalMs['lib/ (own files)'] = now() - before;
report({ marginalMs });
