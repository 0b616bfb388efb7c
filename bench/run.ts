// `npm run bench`: the library against the same Terraform resources written with the provider's
// classes (the floor), every figure measured in this one run, printed as one table and written to
// bench/RESULTS.md. Flags: --profile (profile every figure, not only misses), --quick (fewer runs,
// for working on the benchmark; not for the record), --keep (keep the temp dir).
import { execSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { cpus, freemem, loadavg, totalmem } from 'os';
import { join } from 'path';
import { Build, buildToTemp } from './support/build';
import { interleave, median, run, Run, runNode } from './support/measure';
import { packageOf, providerModuleOf } from './support/modules';
import { formatSummary, Section, summarizeProfile } from './support/profile';
import { byteIdentical, compareStacks, fleetDataOf, resourceCounts, stackBytes, vmDataByStack } from './support/terraform-json';

const REPO = join(__dirname, '..');
const flags = new Set(process.argv.slice(2));
const quick = flags.has('--quick');
// Medians of 15: with other work on the 2 cores, medians of 7-9 moved by ±0.15 between runs.
const SYNTH_RUNS = quick ? 3 : 15;
const TSX_RUNS = quick ? 1 : 3;
const LOAD_RUNS = quick ? 3 : 15;
const FLEET_SIZES = [1, 100, 1000];
const FLEET_RUNS = quick ? 1 : 3;
/** The fleet size of the whole-process ratio budget, and its runs (a ~1 s process: medians need more runs). */
const RATIO_HOSTS = 100;
const RATIO_RUNS = quick ? 3 : 9;
const FLEET_KINDS = [
  { id: 'vm', label: 'VMs', one: 'VM', resourceType: 'azurerm_linux_virtual_machine' },
  { id: 'vmss', label: 'scale sets', one: 'scale set', resourceType: 'azurerm_linux_virtual_machine_scale_set' },
];
const TSC_RUNS = quick ? 1 : 3;

interface Row {
  figure: string;
  library: string;
  floor: string;
  measured: string;
  budget: string;
  result: 'PASS' | 'MISS' | 'info';
}

const rows: Row[] = [];
const notes: string[] = [];
const profiles: string[] = [];
const misses: string[] = [];

function row(r: Omit<Row, 'result'>, pass?: boolean): void {
  const result = pass === undefined ? 'info' : pass ? 'PASS' : 'MISS';
  rows.push({ ...r, result });
  if (result === 'MISS') misses.push(r.figure);
  log(`  ${r.figure}: ${r.library} vs ${r.floor} → ${r.measured} (budget ${r.budget}) ${result}`);
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

const ms = (x: number) => `${Math.round(x)} ms`;
const sec = (x: number) => `${(x / 1000).toFixed(2)} s`;
const mib = (x: number | undefined) => (x === undefined ? 'n/a' : `${Math.round(x)} MiB`);
const kb = (bytes: number) => `${(bytes / 1000).toFixed(2)} KB`;
const ratio = (x: number) => `${x.toFixed(2)}x`;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

/**
 * Runs a compiled child under --cpu-prof and returns its summary lines. Short processes are sampled
 * every 100 µs (node's default, 1 ms, leaves a 400 ms process with too few samples).
 */
function profile(title: string, build: Build, script: string, env: Record<string, string>, sections?: Section[], intervalUs = 100): string[] {
  const dir = mkdtempSync(join(build.root, 'prof-'));
  runNode(join(build.root, script), env, ['--cpu-prof', `--cpu-prof-interval=${intervalUs}`, `--cpu-prof-dir=${dir}`]);
  return formatSummary(title, summarizeProfile(dir, build.root), sections);
}

function main(): void {
  const started = Date.now();
  const machine = {
    date: execSync('date', { encoding: 'utf8' }).trim(),
    nproc: execSync('nproc', { encoding: 'utf8' }).trim(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memory: safe(() => execSync('free -h', { encoding: 'utf8' }).trimEnd()) ?? `${(totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(freemem() / 2 ** 30).toFixed(1)} GiB free`,
    node: process.version,
    loadAtStart: load(),
  };
  log(`bench: ${machine.date}; ${machine.nproc} cores (${machine.cpu}); node ${machine.node}; load ${machine.loadAtStart}`);

  log('setup: compiling lib/, examples/ and bench/ to a temp dir (transpile once) and emitting lib/ declarations');
  const build = buildToTemp(REPO);
  notes.push(`Setup: transpiled lib/, examples/, bench/ in ${build.transpileMs} ms (TypeScript transpileModule), lib/ declarations in ${sec(build.declarationsMs)} (tsc).`);
  if (build.declarationErrors) notes.push(`tsc reported errors while emitting lib/ declarations (emitted anyway):\n${indent(build.declarationErrors)}`);
  try {
    measureAll(build);
  } finally {
    if (!flags.has('--keep')) rmSync(build.root, { recursive: true, force: true });
    else log(`kept ${build.root}`);
  }

  const table = renderTable();
  const totalSec = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(`\n${table}\n`);
  for (const n of notes) process.stdout.write(`\n${n}\n`);
  for (const p of profiles) process.stdout.write(`\n${p}\n`);
  process.stdout.write(`\nbench took ${totalSec} s; ${misses.length === 0 ? 'all budgets met' : `missed: ${misses.join('; ')}`}\n`);

  if (!quick) writeResults(machine, table, totalSec);
  else log('--quick: bench/RESULTS.md not written');
}

function measureAll(build: Build): void {
  const out = (name: string) => {
    const dir = join(build.root, 'out', name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const js = (script: string) => join(build.root, script);

  // --- 1. Synth of both example stacks -----------------------------------------------------------
  log('1. synth of both example stacks: library vs raw provider classes');
  const libOut = out('examples-lib');
  const rawOut = out('examples-raw');
  const customDataFile = join(build.root, 'custom-data.json');
  runNode(js('bench/apps/examples-lib.js'), { BENCH_OUTDIR: libOut }); // warm-up, and the floor's custom data
  writeFileSync(customDataFile, JSON.stringify(vmDataByStack(libOut)));
  const examplesEnv = { BENCH_CUSTOM_DATA: customDataFile };
  runNode(js('bench/raw/examples.js'), { ...examplesEnv, BENCH_OUTDIR: rawOut });
  const equivalence = compareStacks(libOut, rawOut);
  notes.push(`Floor check (examples): ${equivalence.summary}`);
  if (!equivalence.sameResources) throw new Error(`bench: the raw examples do not produce the library's resource set:\n${equivalence.summary}`);

  const synth = interleave(SYNTH_RUNS,
    () => runNode(js('bench/apps/examples-lib.js'), { BENCH_OUTDIR: libOut }),
    () => runNode(js('bench/raw/examples.js'), { ...examplesEnv, BENCH_OUTDIR: rawOut }));
  const synthLib = median(synth.a.map((r) => r.wallMs));
  const synthRaw = median(synth.b.map((r) => r.wallMs));
  const synthRatio = synthLib / synthRaw;
  row({
    figure: `1. Synth, both example stacks (whole process, compiled JS, median of ${SYNTH_RUNS})`,
    library: ms(synthLib), floor: ms(synthRaw), measured: `${ratio(synthRatio)} (fastest runs: ${minRatio(synth.a, synth.b, (r) => r.wallMs)})`, budget: '≤ 1.25x',
  }, synthRatio <= 1.25);
  const synthCpuLib = median(synth.a.map((r) => r.cpuMs ?? NaN));
  const synthCpuRaw = median(synth.b.map((r) => r.cpuMs ?? NaN));
  row({
    figure: '   the same in CPU time (user+sys, whole process; little moved by other load)',
    library: ms(synthCpuLib), floor: ms(synthCpuRaw), measured: ratio(synthCpuLib / synthCpuRaw), budget: '—',
  });
  const phase = (runs: Run[], key: Phase) => median(runs.map((r) => reported(r, key)));
  row({
    figure: '   of which: module load / construct / synth (in-process medians)',
    library: `${ms(phase(synth.a, 'loadMs'))} / ${ms(phase(synth.a, 'constructMs'))} / ${ms(phase(synth.a, 'synthMs'))}`,
    floor: `${ms(phase(synth.b, 'loadMs'))} / ${ms(phase(synth.b, 'constructMs'))} / ${ms(phase(synth.b, 'synthMs'))}`,
    measured: '', budget: '—',
  });
  row({
    figure: '   peak memory (median)', library: mib(median(synth.a.map((r) => r.maxRssMiB!))), floor: mib(median(synth.b.map((r) => r.maxRssMiB!))),
    measured: ratio(median(synth.a.map((r) => r.maxRssMiB!)) / median(synth.b.map((r) => r.maxRssMiB!))), budget: '—',
  });

  const tsx = join(REPO, 'node_modules', '.bin', 'tsx');
  const viaTsx = interleave(TSX_RUNS,
    () => run(tsx, [join(REPO, 'bench/apps/examples-lib.ts')], { env: { BENCH_OUTDIR: libOut } }),
    () => run(tsx, [join(REPO, 'bench/raw/examples.ts')], { env: { ...examplesEnv, BENCH_OUTDIR: rawOut } }));
  const tsxLib = median(viaTsx.a.map((r) => r.wallMs));
  const tsxRaw = median(viaTsx.b.map((r) => r.wallMs));
  row({
    figure: `   the same through tsx (transpiled on the fly, median of ${TSX_RUNS})`,
    library: ms(tsxLib), floor: ms(tsxRaw), measured: ratio(tsxLib / tsxRaw), budget: '—',
  });
  if (synthRatio > 1.25 || flags.has('--profile')) {
    profiles.push([
      ...profile('Profile: synth of both examples, library', build, 'bench/apps/examples-lib.js', { BENCH_OUTDIR: libOut }),
      ...profile('Profile: synth of both examples, floor', build, 'bench/raw/examples.js', { ...examplesEnv, BENCH_OUTDIR: rawOut }, ['packages', 'frames']),
    ].join('\n'));
  }

  // --- 2. Module load ------------------------------------------------------------------------------
  log('2. module load: lib/index vs the provider classes it uses');
  const discovery = runNode(js('bench/apps/load-lib.js'));
  const libFiles = discovery.result.modules ?? [];
  const providerModules = [...new Set(libFiles.map(providerModuleOf).filter((m): m is string => m !== undefined))].sort();
  const loadEnv = { BENCH_MODULES: JSON.stringify(providerModules) };
  const floorFiles = runNode(js('bench/raw/load.js'), loadEnv).result.modules ?? [];
  const loads = interleave(LOAD_RUNS, () => runNode(js('bench/apps/load-lib.js')), () => runNode(js('bench/raw/load.js'), loadEnv));
  const loadLib = median(loads.a.map((r) => reported(r, 'loadMs')));
  const loadRaw = median(loads.b.map((r) => reported(r, 'loadMs')));
  const loadRatio = loadLib / loadRaw;
  row({
    figure: `2. Module load: lib/index vs its ${providerModules.length} provider classes (in-process require, median of ${LOAD_RUNS})`,
    library: ms(loadLib), floor: ms(loadRaw), measured: `${ratio(loadRatio)} (fastest runs: ${minRatio(loads.a, loads.b, (r) => reported(r, 'loadMs'))})`, budget: '≤ 1.2x',
  }, loadRatio <= 1.2);
  const extra = countByPackage(libFiles.filter((f) => !floorFiles.includes(f)));
  notes.push(`Module load: lib/index loads ${libFiles.length} files, the floor ${floorFiles.length}. `
    + `Loaded by the library only, by package: ${extra.map(([p, n]) => `${p} ${n}`).join(', ') || 'none'}. `
    + `Provider classes: ${providerModules.map((m) => m.replace(/^@cdktf\/provider-/, '')).join(', ')}.`);
  if (loadRatio > 1.2 || flags.has('--profile')) {
    // The library's runtime dependencies, timed one by one after the floor's modules (median of LOAD_RUNS).
    const dependencies = Object.keys(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).dependencies ?? {});
    const marginal = Array.from({ length: LOAD_RUNS }, () => runNode(js('bench/apps/load-marginal.js'), {
      ...loadEnv, BENCH_PACKAGES: JSON.stringify(dependencies),
    }).result.marginalMs ?? {});
    const parts = Object.keys(marginal[0]).map((name) => [name, median(marginal.map((m) => m[name]))] as const);
    profiles.push([
      `Profile: loading lib/index beyond the floor (${ms(loadRaw)}), each part timed after the floor's modules, medians of ${LOAD_RUNS}:`,
      ...parts.map(([name, t]) => `  ${t.toFixed(1).padStart(7)} ms  ${name}`),
      `  without ${dependencies.join(', ')} the load would be ~${ms(loadLib - parts.filter(([n]) => dependencies.includes(n)).reduce((a, [, t]) => a + t, 0))}, `
        + `${ratio((loadLib - parts.filter(([n]) => dependencies.includes(n)).reduce((a, [, t]) => a + t, 0)) / loadRaw)} the floor`,
      ...profile('Profile: loading lib/index (CPU)', build, 'bench/apps/load-lib.js', {}, ['library']),
    ].join('\n'));
  }

  // --- 3. Fleets ---------------------------------------------------------------------------------------
  log('3. fleets: the tutorial at 1, 100 and 1,000 hosts per stack, as VMs and as scale sets, against a byte-identical floor');
  for (const kind of FLEET_KINDS) {
    // The floor copies the locals and each variant's user data from the library's 2-host fleet.
    const dataDir = out(`fleet-data-${kind.id}`);
    runNode(js('bench/apps/fleet-lib.js'), { BENCH_HOSTS: '2', BENCH_KIND: kind.id, BENCH_OUTDIR: dataDir });
    const dataFile = join(build.root, `fleet-data-${kind.id}.json`);
    writeFileSync(dataFile, JSON.stringify(fleetDataOf(dataDir, kind.resourceType)));
    const fleet: Record<number, { lib: Run; raw: Run; libRuns: Run[]; rawRuns: Run[]; bytesPerHost: number }> = {};
    for (const hosts of FLEET_SIZES) {
      const env = { BENCH_HOSTS: String(hosts), BENCH_KIND: kind.id, BENCH_FLEET_DATA: dataFile };
      const libDir = out(`fleet-lib-${kind.id}-${hosts}`);
      const rawDir = out(`fleet-raw-${kind.id}-${hosts}`);
      const runs = interleave(hosts === RATIO_HOSTS ? RATIO_RUNS : FLEET_RUNS,
        () => runNode(js('bench/apps/fleet-lib.js'), { ...env, BENCH_OUTDIR: libDir }),
        () => runNode(js('bench/raw/fleet.js'), { ...env, BENCH_OUTDIR: rawDir }));
      if (!byteIdentical(libDir, rawDir)) {
        throw new Error(`bench: the floor of ${hosts} ${kind.label} is not byte-identical to the library's:\n${compareStacks(libDir, rawDir).summary}`);
      }
      const pick = (rs: Run[]) => [...rs].sort((x, y) => x.wallMs - y.wallMs)[Math.floor((rs.length - 1) / 2)];
      fleet[hosts] = { lib: pick(runs.a), raw: pick(runs.b), libRuns: runs.a, rawRuns: runs.b, bytesPerHost: stackBytes(libDir) / hosts };
      const { lib, raw, bytesPerHost } = fleet[hosts];
      const resources = Object.values(resourceCounts(libDir)).reduce((a, b) => a + b, 0);
      row({
        figure: `3. ${hosts.toLocaleString('en')} ${hosts > 1 ? kind.label : kind.one} (${resources} resources, byte-identical JSON): whole process; construct+synth; peak memory; JSON per host`,
        library: `${sec(lib.wallMs)}; ${ms(work(lib))}; ${mib(lib.maxRssMiB)}; ${kb(bytesPerHost)}`,
        floor: `${sec(raw.wallMs)}; ${ms(work(raw))}; ${mib(raw.maxRssMiB)}; ${kb(bytesPerHost)}`,
        measured: `${ratio(lib.wallMs / raw.wallMs)} time, ${ratio(lib.maxRssMiB! / raw.maxRssMiB!)} memory`, budget: '—',
      });
    }
    const perHost = fleet[1000].bytesPerHost;
    row({ figure: `   ${kind.label}: JSON per host at 1,000 hosts`, library: kb(perHost), floor: kb(perHost), measured: kb(perHost), budget: '≤ 7 KB' },
      perHost <= 7000);
    const at100 = fleet[RATIO_HOSTS];
    const synth100 = median(at100.libRuns.map((r) => r.wallMs)) / median(at100.rawRuns.map((r) => r.wallMs));
    row({
      figure: `   ${kind.label}: whole-process synth at ${RATIO_HOSTS} hosts (median of ${RATIO_RUNS})`,
      library: ms(median(at100.libRuns.map((r) => r.wallMs))), floor: ms(median(at100.rawRuns.map((r) => r.wallMs))),
      measured: `${ratio(synth100)} (fastest runs: ${minRatio(at100.libRuns, at100.rawRuns, (r) => r.wallMs)})`, budget: '≤ 1.25x',
    }, synth100 <= 1.25);
    const memory1000 = median(fleet[1000].libRuns.map((r) => r.maxRssMiB!)) / median(fleet[1000].rawRuns.map((r) => r.maxRssMiB!));
    row({
      figure: `   ${kind.label}: peak memory at 1,000 hosts (median of ${FLEET_RUNS})`,
      library: mib(median(fleet[1000].libRuns.map((r) => r.maxRssMiB!))), floor: mib(median(fleet[1000].rawRuns.map((r) => r.maxRssMiB!))),
      measured: ratio(memory1000), budget: '≤ 1.3x',
    }, memory1000 <= 1.3);
    const growth = work(fleet[1000].lib) / work(fleet[100].lib);
    row({
      figure: `   ${kind.label}: growth 100 → 1,000 hosts (construct+synth time)`, library: ratio(growth),
      floor: ratio(work(fleet[1000].raw) / work(fleet[100].raw)), measured: ratio(growth), budget: '≤ 11x',
    }, growth <= 11);
    row({
      figure: `   ${kind.label}: 1,000 hosts, CPU time (user+sys)`, library: sec(fleet[1000].lib.cpuMs ?? NaN), floor: sec(fleet[1000].raw.cpuMs ?? NaN),
      measured: ratio((fleet[1000].lib.cpuMs ?? NaN) / (fleet[1000].raw.cpuMs ?? NaN)), budget: '—',
    });
    if (synth100 > 1.25 || memory1000 > 1.3 || flags.has('--profile')) {
      const env = { BENCH_HOSTS: '1000', BENCH_KIND: kind.id, BENCH_FLEET_DATA: dataFile, BENCH_OUTDIR: out(`fleet-profile-${kind.id}`) };
      profiles.push([
        ...profile(`Profile: 1,000 ${kind.label}, library`, build, 'bench/apps/fleet-lib.js', env, undefined, 1000),
        ...profile(`Profile: 1,000 ${kind.label}, floor`, build, 'bench/raw/fleet.js', env, ['packages', 'frames'], 1000),
      ].join('\n'));
    }
  }

  // --- 4. Consumer type-check -------------------------------------------------------------------------
  log('4. consumer type-check: tsc --noEmit of a small stack with the library (declarations) vs raw classes');
  const tsc = join(REPO, 'node_modules', 'typescript', 'lib', 'tsc.js');
  const consumerDir = join(build.root, 'bench', 'consumer');
  const tsconfig = (name: string, file: string) => {
    const path = join(consumerDir, name);
    writeFileSync(path, JSON.stringify({ compilerOptions: CONSUMER_OPTIONS, files: [file] }, null, 2));
    return path;
  };
  const libConfig = tsconfig('tsconfig.library.json', 'with-library.ts');
  const rawConfig = tsconfig('tsconfig.raw.json', 'with-raw-classes.ts');
  const sourceConfig = tsconfig('tsconfig.library-source.json', join(REPO, 'bench', 'consumer', 'with-library.ts'));
  const typecheck = (config: string) => {
    const r = run(process.execPath, [tsc, '-p', config], { allowFailure: true });
    if (r.status !== 0) throw new Error(`bench: tsc -p ${config} found errors:\n${r.stdout}`);
    return r;
  };
  const checks = interleave(TSC_RUNS, () => typecheck(libConfig), () => typecheck(rawConfig));
  const tscLib = median(checks.a.map((r) => r.wallMs));
  const tscRaw = median(checks.b.map((r) => r.wallMs));
  const tscLibMem = Math.max(...checks.a.map((r) => r.maxRssMiB ?? NaN));
  const tscRawMem = Math.max(...checks.b.map((r) => r.maxRssMiB ?? NaN));
  const tscRatio = tscLib / tscRaw;
  row({
    figure: `4. Consumer type-check, tsc --noEmit against lib/ declarations (median of ${TSC_RUNS})`,
    library: ms(tscLib), floor: ms(tscRaw), measured: ratio(tscRatio), budget: '≤ 1.3x',
  }, tscRatio <= 1.3);
  const tscCpuLib = median(checks.a.map((r) => r.cpuMs ?? NaN));
  const tscCpuRaw = median(checks.b.map((r) => r.cpuMs ?? NaN));
  row({ figure: '   the same in CPU time (user+sys)', library: ms(tscCpuLib), floor: ms(tscCpuRaw), measured: ratio(tscCpuLib / tscCpuRaw), budget: '—' });
  row({ figure: '   peak memory', library: mib(tscLibMem), floor: mib(tscRawMem), measured: mib(tscLibMem), budget: '< 400 MiB' }, tscLibMem < 400);
  const fromSource = typecheck(sourceConfig);
  row({
    figure: '   the same against lib/ source (1 run)', library: `${ms(fromSource.wallMs)}, ${mib(fromSource.maxRssMiB)}`, floor: ms(tscRaw),
    measured: ratio(fromSource.wallMs / tscRaw), budget: '—',
  });
  if (tscRatio > 1.3 || tscLibMem >= 400 || flags.has('--profile')) {
    profiles.push(typecheckProfile(tsc, libConfig, rawConfig, build.root));
  }

  // --- 5. Test suite ------------------------------------------------------------------------------------
  log(`5. test suite: npx jest (load before: ${load()})`);
  const loadBefore = load();
  const jestJson = join(build.root, 'jest.json');
  const jest = run('npx', ['jest', '--json', `--outputFile=${jestJson}`], { allowFailure: true, env: { CI: 'true' } });
  const loadAfter = load();
  const report = safe(() => JSON.parse(readFileSync(jestJson, 'utf8')) as JestReport);
  const outcome = report
    ? `${report.numPassedTests}/${report.numTotalTests} tests passed in ${report.numTotalTestSuites} files${report.success ? '' : ' (suite FAILED)'}`
    : `jest exited ${jest.status}`;
  row({ figure: '5. Test suite wall time (npx jest)', library: sec(jest.wallMs), floor: '—', measured: sec(jest.wallMs), budget: '< 60 s' }, jest.wallMs < 60_000);
  const slowest = report
    ? report.testResults.map((t) => [t.name.replace(`${REPO}/`, ''), (t.endTime - t.startTime) / 1000] as const)
      .sort((a, b) => b[1] - a[1]).slice(0, 5).map(([n, s]) => `${n} ${s.toFixed(1)} s`).join(', ')
    : 'n/a';
  notes.push(`Test suite: ${outcome}; load average (1/5/15 min) ${loadBefore} before, ${loadAfter} after; slowest files: ${slowest}.`);
}

/** The part of `jest --json` output read here. */
interface JestReport {
  numPassedTests: number;
  numTotalTests: number;
  numTotalTestSuites: number;
  success: boolean;
  testResults: { name: string; startTime: number; endTime: number }[];
}

const CONSUMER_OPTIONS = {
  // As `cdktf init --template=typescript` sets up a consumer project.
  target: 'ES2022', module: 'commonjs', moduleResolution: 'node', lib: ['ES2022'], types: ['node'],
  strict: true, esModuleInterop: true, skipLibCheck: true, noEmit: true,
};

/** Where the library consumer's type-check spends more than the floor's: files, types, memory. */
function typecheckProfile(tsc: string, libConfig: string, rawConfig: string, root: string): string {
  const files = (config: string) => run(process.execPath, [tsc, '-p', config, '--listFilesOnly']).stdout.trim().split('\n');
  const libFiles = files(libConfig);
  const rawFiles = new Set(files(rawConfig));
  const extra = libFiles.filter((f) => !rawFiles.has(f));
  const diagnostics = (config: string) => run(process.execPath, [tsc, '-p', config, '--extendedDiagnostics'], { allowFailure: true }).stdout
    .split('\n').filter((l) => /^(Files|Lines of \w+|Identifiers|Symbols|Types|Instantiations|Memory used|Check time|Parse time|Bind time|Total time):/.test(l));
  return [
    'Profile: consumer type-check',
    `  files only the library consumer reads (${extra.length}): ${countByPackage(extra).map(([p, n]) => `${p} ${n}`).join(', ')}`,
    ...extra.filter((f) => packageOf(f) === '(own)').map((f) => `    ${f.replace(`${root}/`, '')}`),
    '  tsc --extendedDiagnostics, library | floor:',
    ...zip(diagnostics(libConfig), diagnostics(rawConfig)).map(([a, b]) => `    ${a.padEnd(40)} | ${b}`),
  ].join('\n');
}

type Phase = 'loadMs' | 'constructMs' | 'synthMs';

/** The ratio of the fastest runs: a cross-check of the medians, the runs least disturbed by other load. */
function minRatio(a: Run[], b: Run[], figure: (r: Run) => number): string {
  return ratio(Math.min(...a.map(figure)) / Math.min(...b.map(figure)));
}

/** A phase's time as the child reported it. */
function reported(r: Run, phase: Phase): number {
  const value = r.result[phase];
  if (value === undefined) throw new Error(`bench: a child did not report ${phase}`);
  return value;
}

/** Construct + synth: the stack's own cost, without loading modules. */
function work(r: Run): number {
  return reported(r, 'constructMs') + reported(r, 'synthMs');
}

function countByPackage(files: string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const f of files) counts.set(packageOf(f), (counts.get(packageOf(f)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

function renderTable(): string {
  const header: Row = { figure: 'Figure', library: 'Library', floor: 'Floor (raw classes)', measured: 'Measured', budget: 'Budget', result: 'PASS' };
  const cells = (r: Row) => [r.figure, r.library, r.floor, r.measured, r.budget, r.result === 'PASS' && r === header ? 'Result' : r.result === 'info' ? '' : r.result];
  const lines = [header, ...rows].map((r) => `| ${cells(r).join(' | ')} |`);
  lines.splice(1, 0, '|---|---|---|---|---|---|');
  return lines.join('\n');
}

/** The hand-written analysis at the end of bench/RESULTS.md, kept when the figures are rewritten. */
const FINDINGS_HEADING = '## Findings';

function writeResults(machine: Record<string, string>, table: string, totalSec: string): void {
  const file = join(REPO, 'bench', 'RESULTS.md');
  const previous = safe(() => readFileSync(file, 'utf8')) ?? '';
  const findings = previous.includes(FINDINGS_HEADING) ? previous.slice(previous.indexOf(FINDINGS_HEADING)) : '';
  const text = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts). The floor is the same Terraform resources written by hand with the',
    'provider\'s classes (deep imports): bench/raw/. Ratios are library / floor; every figure comes from one run.',
    '',
    'How: lib/, examples/ and bench/ are transpiled once (TypeScript transpileModule) into a temp dir and every measured',
    'process runs that JavaScript with node, so no figure pays for transpiling (the tsx row shows the other way). Library',
    'and floor runs alternate. Wall time is from spawn to exit; CPU time and peak memory come from /usr/bin/time. The',
    'floor of the examples synthesizes the same JSON as the library but for metadata (checked each run), its VM custom',
    'data, user data and locals precomputed from the library\'s. The fleets are the tutorial on the construct defaults,',
    '1 to 1,000 hosts per stack: each host (a DockerVirtualMachine, or a DockerVirtualMachineScaleSet of 2 instances) has',
    'its own VNet, subnet, NSG and NAT gateway (the default outbound path), an AcrPull grant and pullImages; even hosts a',
    'user-assigned identity, odd hosts their own system-assigned one. Their floor is written in the same construct tree',
    'and its JSON is checked byte-identical on every',
    'run. KB = 1,000 bytes. The consumer type-check runs the repo\'s tsc on bench/consumer/ against',
    'the library\'s declarations (emitted by tsc into the temp dir), as a consumer of the package sees it.',
    '',
    `- Date: ${machine.date}`,
    `- Machine: ${machine.nproc} cores (${machine.cpu}), node ${machine.node}, load average at start ${machine.loadAtStart}`,
    `- Bench wall time: ${totalSec} s`,
    '',
    '```',
    machine.memory,
    '```',
    '',
    table,
    '',
    ...notes.flatMap((n) => [n, '']),
    ...(profiles.length ? ['## Profiles', '', '```', ...profiles.flatMap((p) => [p, '']), '```', ''] : []),
    findings,
  ].join('\n');
  writeFileSync(file, text);
  log('wrote bench/RESULTS.md');
}

function indent(text: string): string {
  return text.split('\n').map((l) => `    ${l}`).join('\n');
}

function zip<T>(a: T[], b: T[]): [T, T][] {
  return a.map((x, i) => [x, b[i]]);
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

main();
