// Running a child process and measuring it: wall time from the parent, figures reported by the child.
import { spawnSync } from 'child_process';
import { existsSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ChildReport, RESULT_PREFIX } from './child';

export interface Run {
  /** Spawn to exit, measured by the parent. */
  readonly wallMs: number;
  /** What the child reported (see support/child.ts), if it did. */
  readonly result: ChildReport;
  readonly maxRssMiB?: number;
  /** User + system CPU time of the whole process (from /usr/bin/time): unlike wall time, barely moved by other load. */
  readonly cpuMs?: number;
}

const TIME = '/usr/bin/time';

/**
 * Runs `command args` to completion and throws with its output when it fails. Peak memory comes from
 * the child's own report or, for commands that do not report (tsc), from /usr/bin/time when installed.
 */
export function run(command: string, args: string[], options: { cwd?: string; env?: Record<string, string>; allowFailure?: boolean } = {}): Run & { stdout: string; status: number | null } {
  const timeFile = join(tmpdir(), `acr-bench-time-${process.pid}`);
  const useTime = existsSync(TIME);
  const [cmd, argv] = useTime ? [TIME, ['-f', '%M %U %S', '-o', timeFile, command, ...args]] : [command, args];
  const started = process.hrtime.bigint();
  const child = spawnSync(cmd, argv, {
    cwd: options.cwd,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', ...options.env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  let timeRssMiB: number | undefined;
  let cpuMs: number | undefined;
  if (useTime && existsSync(timeFile)) {
    // The last line: "<max RSS KiB> <user s> <system s>" (earlier lines say why a command failed).
    const [kib, user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    timeRssMiB = Number.isFinite(kib) ? kib / 1024 : undefined;
    cpuMs = Number.isFinite(user + system) ? (user + system) * 1000 : undefined;
    rmSync(timeFile, { force: true });
  }
  if (child.status !== 0 && !options.allowFailure) {
    throw new Error(`bench: ${command} ${args.join(' ')} failed (${child.status ?? child.signal}):\n${child.stdout}\n${child.stderr}`);
  }
  const line = (child.stdout ?? '').split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  const result: ChildReport = line ? JSON.parse(line.slice(RESULT_PREFIX.length)) : {};
  return { wallMs, result, maxRssMiB: result.maxRssMiB ?? timeRssMiB, cpuMs, stdout: child.stdout ?? '', status: child.status };
}

/** Runs a compiled child script with node. */
export function runNode(script: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Run {
  return run(process.execPath, [...nodeArgs, script], { env });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `a` and `b` `times` times each, alternating which goes first, so drift in the machine's load
 * (2 shared cores) falls on both sides alike.
 */
export function interleave(times: number, a: () => Run, b: () => Run): { a: Run[]; b: Run[] } {
  const runs = { a: [] as Run[], b: [] as Run[] };
  for (let i = 0; i < times; i++) {
    if (i % 2 === 0) {
      runs.a.push(a());
      runs.b.push(b());
    } else {
      runs.b.push(b());
      runs.a.push(a());
    }
  }
  return runs;
}
