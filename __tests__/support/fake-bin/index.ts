/**
 * Test support for executing the VM scripts: fake executables that record their argv and fail on demand,
 * and the rule for tests that need a system tool (shellcheck, cloud-init, systemd-analyze).
 */
import { spawn, spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface FakeTool {
  /** The first this many calls fail (exit 1). @default 0 */
  readonly failFirst?: number;
  /** Bash run after a successful call is recorded, with the call's arguments in "$@". @default - nothing */
  readonly body?: string;
  /**
   * Environment variables to record with each call (values without tabs or newlines), read back with
   * {@link FakeBin.environments}.
   * @default - none
   */
  readonly recordEnv?: string[];
  /** Keep each call's standard input, read back with {@link FakeBin.stdin}. @default false */
  readonly recordStdin?: boolean;
  /**
   * Not on PATH until something installs it: written as `<name>.absent` in the fake directory, which a
   * fake installer's body moves to `<name>` (see {@link installs}). The system's own `<name>`, if any, is
   * hidden: PATH then holds the system's tools through a directory of links that leaves it out.
   * @default false
   */
  readonly absent?: boolean;
}

/** The result of {@link FakeBin.runAsync}: what spawnSync returns that the tests read. */
export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fake tool body that puts the absent fake `tool` on PATH, as installing its package would. */
export function installs(tool: string): string {
  return `if [[ -f "$(dirname "$0")/${tool}.absent" ]]; then mv "$(dirname "$0")/${tool}.absent" "$(dirname "$0")/${tool}"; fi`;
}

const systemDirs = new Map<string, string>();
process.on('exit', () => systemDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/**
 * A temporary directory of fake executables; every call is appended to one log, in call order.
 * Also holds an empty home directory, the HOME of what {@link FakeBin.run} runs.
 */
export class FakeBin {
  public readonly dir: string;
  public readonly home: string;
  private readonly log: string;
  private readonly path: string;

  constructor(tools: Record<string, FakeTool>) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-bin-'));
    this.home = path.join(this.dir, 'home');
    fs.mkdirSync(this.home);
    this.log = path.join(this.dir, 'calls.log');
    fs.writeFileSync(this.log, '');
    for (const [name, tool] of Object.entries(tools)) {
      const counter = path.join(this.dir, `${name}.count`);
      // One line per call: a tab before each recorded NAME=value; unset variables are left out.
      const recordEnv = (tool.recordEnv ?? [])
        .map((variable) => `if [[ -n \${${variable}+set} ]]; then printf '\\t%s=%s' ${variable} "$${variable}"; fi;`);
      const script = [
        // bash itself, not env: PATH may hold fakes, and a fake runs for every call.
        '#!/bin/bash',
        // %q keeps each argument distinguishable; plain words print unchanged.
        `{ printf '%s' ${name}; printf ' %q' "$@"; printf '\\n'; } >>'${this.log}'`,
        ...(recordEnv.length > 0 ? [`{ ${recordEnv.join(' ')} printf '\\n'; } >>'${this.envLog(name)}'`] : []),
        `count=0; if [[ -f '${counter}' ]]; then read -r count <'${counter}'; fi; count=$((count + 1))`,
        `echo "$count" >'${counter}'`,
        ...(tool.recordStdin ? [`cat >'${this.stdinLog(name)}'.$count`] : []),
        `if (( count <= ${tool.failFirst ?? 0} )); then echo "fake ${name}: failure $count" >&2; exit 1; fi`,
        tool.body ?? '',
        '',
      ].join('\n');
      fs.writeFileSync(path.join(this.dir, tool.absent ? `${name}.absent` : name), script, { mode: 0o755 });
    }
    const hidden = Object.entries(tools).filter(([, tool]) => tool.absent).map(([name]) => name);
    this.path = hidden.length === 0 ? `${this.dir}:/usr/bin:/bin` : `${this.dir}:${this.systemToolsWithout(hidden)}`;
  }

  /** A directory of links to the tools of /usr/bin and /bin, except `hidden`; one per set, per process. */
  private systemToolsWithout(hidden: string[]): string {
    const key = [...hidden].sort().join(' ');
    let system = systemDirs.get(key);
    if (system === undefined) {
      system = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-bin-system-'));
      for (const dir of ['/usr/bin', '/bin']) {
        for (const name of fs.readdirSync(dir)) {
          const link = path.join(system, name);
          if (!hidden.includes(name) && !fs.existsSync(link)) fs.symlinkSync(path.join(dir, name), link);
        }
      }
      systemDirs.set(key, system);
    }
    return system;
  }

  /** Every recorded call, e.g. `az acr login --name myreg`. */
  public calls(): string[] {
    return fs.readFileSync(this.log, 'utf8').split('\n').filter((line) => line !== '');
  }

  /** The variables named in `recordEnv` as each call of `tool` saw them, in call order; unset ones absent. */
  public environments(tool: string): Array<Record<string, string>> {
    const file = this.envLog(tool);
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, 'utf8').split('\n').slice(0, -1).map((line) => Object.fromEntries(
      line.split('\t').slice(1).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    ));
  }

  /** What call number `call` (from 1) of `tool` read on its standard input (tools with `recordStdin`). */
  public stdin(tool: string, call: number): string {
    return fs.readFileSync(`${this.stdinLog(tool)}.${call}`, 'utf8');
  }

  /** How many times `tool` was called. */
  public count(tool: string): number {
    const counter = path.join(this.dir, `${tool}.count`);
    return fs.existsSync(counter) ? Number(fs.readFileSync(counter, 'utf8')) : 0;
  }

  /**
   * Runs an executable with these fakes first on PATH, HOME the fake home, and nothing else of the
   * caller's environment.
   */
  public run(executable: string, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
    return spawnSync(executable, args, { encoding: 'utf8', env: this.environment(env), timeout: 20_000 });
  }

  /**
   * {@link run}, without blocking the event loop: for scripts that talk to a server in this process.
   * `user` runs it as that user and group, without supplementary groups (see {@link shareWith}).
   */
  public runAsync(executable: string, args: string[], env: Record<string, string> = {}, user?: { uid: number; gid: number }): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(executable, args, {
        env: this.environment(env), timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'], ...(user ?? {}),
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  /** Hands the fakes and the home directory to another user, so that a run as that user can use them. */
  public shareWith(uid: number, gid: number): void {
    const own = (file: string) => {
      fs.chownSync(file, uid, gid);
      if (fs.lstatSync(file).isDirectory()) fs.readdirSync(file).forEach((name) => own(path.join(file, name)));
    };
    own(this.dir);
  }

  private environment(env: Record<string, string>): Record<string, string> {
    return { PATH: this.path, HOME: this.home, ...env };
  }

  private envLog(tool: string): string {
    return path.join(this.dir, `${tool}.env`);
  }

  private stdinLog(tool: string): string {
    return path.join(this.dir, `${tool}.stdin`);
  }

  public remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Writes text to an executable file in a new temporary directory; returns its path. */
export function writeExecutable(name: string, text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vm-script-')), name);
  fs.writeFileSync(file, text, { mode: 0o755 });
  return file;
}

export function hasTool(name: string): boolean {
  return spawnSync('bash', ['-c', 'command -v "$1"', 'bash', name]).status === 0;
}

/**
 * `it` for a test that needs a system tool: skipped with a clear message where the tool is missing,
 * but failing loudly in CI (CI=true), which installs it.
 */
export function itWithTool(tool: string, title: string, fn: () => void): void {
  if (hasTool(tool)) {
    it(title, fn);
  } else if (process.env.CI === 'true') {
    it(title, () => {
      throw new Error(`'${tool}' is not on PATH, and CI must run this test: install it (see scripts/test.sh).`);
    });
  } else {
    it.skip(`${title} (skipped: '${tool}' is not on PATH)`, fn);
  }
}

/** The static checks every generated shell script must pass: it parses as bash and is shellcheck-clean. */
export function itPassesShellChecks(scriptPath: string): void {
  it('is bash that parses', () => {
    const result = spawnSync('bash', ['-n', scriptPath], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  itWithTool('shellcheck', 'is shellcheck-clean', () => {
    const result = spawnSync('shellcheck', [scriptPath], { encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
}
