// Child: loads the library's entry point and reports how long it took and which modules came with it.
import { join } from 'path';
import { now, report } from '../support/child';
import { loadedModules } from '../support/modules';

const before = now();
require(join(__dirname, '..', '..', 'lib', 'index'));
const loadMs = now() - before;
report({ loadMs, modules: loadedModules() });
