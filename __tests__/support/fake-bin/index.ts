/**
 * Test support for executing the VM scripts: fake executables that record their argv and fail on demand,
 * and the rule for tests that need a system tool (shellcheck, cloud-init, systemd-analyze).
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
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
}

/**
 * A temporary directory of fake executables; every call is appended to one log, in call order.
 * Also holds an empty home directory, the HOME of what {@link FakeBin.run} runs.
 */
export class FakeBin {
  public readonly dir: string;
  public readonly home: string;
  private readonly log: string;

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
        '#!/usr/bin/env bash',
        // %q keeps each argument distinguishable; plain words print unchanged.
        `{ printf '%s' ${name}; printf ' %q' "$@"; printf '\\n'; } >>'${this.log}'`,
        ...(recordEnv.length > 0 ? [`{ ${recordEnv.join(' ')} printf '\\n'; } >>'${this.envLog(name)}'`] : []),
        `count=$(( $(cat '${counter}' 2>/dev/null || echo 0) + 1 ))`,
        `echo "$count" >'${counter}'`,
        `if (( count <= ${tool.failFirst ?? 0} )); then echo "fake ${name}: failure $count" >&2; exit 1; fi`,
        tool.body ?? '',
        '',
      ].join('\n');
      fs.writeFileSync(path.join(this.dir, name), script, { mode: 0o755 });
    }
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

  /**
   * Runs an executable with these fakes first on PATH, HOME the fake home, and nothing else of the
   * caller's environment.
   */
  public run(executable: string, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
    return spawnSync(executable, args, {
      encoding: 'utf8',
      env: { PATH: `${this.dir}:/usr/bin:/bin`, HOME: this.home, ...env },
      timeout: 20_000,
    });
  }

  private envLog(tool: string): string {
    return path.join(this.dir, `${tool}.env`);
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
