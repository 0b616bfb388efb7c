// Compiles the library, the examples and the benchmark once into a temp dir, so no measured process
// pays for transpiling TypeScript; plus the library's declarations, as a consumer of the package sees them.
import { spawnSync } from 'child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, relative } from 'path';
import * as ts from 'typescript';

export interface Build {
  /** The temp dir: lib/, examples/ and bench/ as JavaScript (+ lib/*.d.ts), node_modules linked to the repo's. */
  readonly root: string;
  readonly transpileMs: number;
  readonly declarationsMs: number;
  /** tsc's complaints while emitting the declarations (emitted anyway), if any. */
  readonly declarationErrors?: string;
}

const COMPILED_DIRS = ['lib', 'examples', 'bench'];

export function buildToTemp(repo: string): Build {
  const root = mkdtempSync(join(tmpdir(), 'acr-bench-'));
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  // The on-VM files the library reads at synth (lib/private/vm-scripts/assets.ts), beside lib/ as in the package.
  symlinkSync(join(repo, 'vm'), join(root, 'vm'), 'dir');

  const started = Date.now();
  for (const file of COMPILED_DIRS.flatMap((dir) => tsFiles(join(repo, dir)))) {
    const out = join(root, relative(repo, file));
    mkdirSync(dirname(out), { recursive: true });
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    writeFileSync(out.replace(/\.ts$/, '.js'), outputText);
    // The consumer stacks are type-checked from the temp dir, against the declarations.
    if (file.includes(`${join('bench', 'consumer')}`)) copyFileSync(file, out);
  }
  const transpileMs = Date.now() - started;

  const declStarted = Date.now();
  const tsc = spawnSync(process.execPath, [
    require.resolve('typescript/lib/tsc.js'), '-p', join(repo, 'tsconfig.build.json'), '--outDir', join(root, 'lib'),
    '--emitDeclarationOnly', '--declarationMap', 'false',
  ], { cwd: repo, encoding: 'utf8' });
  const declarationsMs = Date.now() - declStarted;
  if (!existsSync(join(root, 'lib', 'index.d.ts'))) {
    throw new Error(`bench: tsc emitted no declarations for lib/:\n${tsc.stdout}${tsc.stderr}`);
  }
  return { root, transpileMs, declarationsMs, declarationErrors: tsc.status === 0 ? undefined : `${tsc.stdout}${tsc.stderr}`.trim() };
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}
