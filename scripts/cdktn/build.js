// Builds the CDK Terrain (cdktn) package from the same lib/ as the cdktf one, into packages/cdktn/build
// (generated, git-ignored), ready for `npm pack`:
//   build/lib/**/*.ts  every lib/**/*.ts with its cdktf imports renamed (rename-imports.js)
//   build/dist/        compiled by tsc with packages/cdktn/tsconfig.json: strict, skipLibCheck off,
//                      against the cdktn peers installed in packages/cdktn/node_modules (npm ci there)
//   build/...          every other file the cdktf package ships (package.json "files": README, docs,
//                      assets the library reads at run time), at the same path
//   build/package.json the root package.json with the fields of packages/cdktn/package.json
// Usage: node scripts/cdktn/build.js
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { renameImports } = require('./rename-imports');

const repo = path.resolve(__dirname, '../..');
const home = path.join(repo, 'packages/cdktn');
const out = path.join(home, 'build');

/** Fields of packages/cdktn/package.json that only serve installing the peers there: not published. */
const LOCAL_ONLY = ['private', 'devDependencies', 'overrides'];
/** Fields of the root package.json that serve this repository, not the published package. */
const REPOSITORY_ONLY = ['devDependencies', 'scripts', 'peerDependenciesMeta'];

function filesUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(file) : [file];
  });
}

function writeFile(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** What `npm pack` would put in the cdktf package, by npm's own reading of "files" (paths relative to the root). */
function packedFiles() {
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo, encoding: 'utf8' });
  return JSON.parse(json)[0].files.map((file) => file.path);
}

/** The published manifest: the root's, with the cdktn package's name, description, keywords and peers. */
function manifest() {
  const root = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const cdktn = JSON.parse(fs.readFileSync(path.join(home, 'package.json'), 'utf8'));
  const result = { ...root };
  for (const field of REPOSITORY_ONLY) delete result[field];
  for (const [field, value] of Object.entries(cdktn)) {
    if (!LOCAL_ONLY.includes(field)) result[field] = value;
  }
  return result;
}

function main() {
  for (const peer of Object.keys(manifest().peerDependencies)) {
    if (!fs.existsSync(path.join(home, 'node_modules', peer, 'package.json'))) {
      throw new Error(`${peer} is not installed in packages/cdktn/node_modules: run 'npm ci --prefix packages/cdktn'`);
    }
  }
  fs.rmSync(out, { recursive: true, force: true });

  const sources = filesUnder(path.join(repo, 'lib')).filter((file) => file.endsWith('.ts'));
  for (const file of sources) {
    const relative = path.relative(repo, file);
    writeFile(path.join(out, relative), renameImports(fs.readFileSync(file, 'utf8'), relative));
  }

  const isBuildOutput = (file) => file === 'package.json' || file.startsWith('dist/');
  const shipped = packedFiles().filter((file) => !isBuildOutput(file) && !(file.startsWith('lib/') && file.endsWith('.ts')));
  for (const file of shipped) {
    fs.mkdirSync(path.dirname(path.join(out, file)), { recursive: true });
    fs.copyFileSync(path.join(repo, file), path.join(out, file));
  }
  writeFile(path.join(out, 'package.json'), `${JSON.stringify(manifest(), null, 2)}\n`);

  const tsc = path.join(repo, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(home, 'tsconfig.json')], { cwd: home, stdio: 'inherit' });
  console.log(`cdktn build: ${sources.length} sources renamed and compiled, ${shipped.length} files copied, `
    + `into ${path.relative(repo, out)}`);
}

try {
  main();
} catch (error) {
  console.error(`cdktn build failed: ${error.message}`);
  process.exit(1);
}
