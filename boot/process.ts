import { ChildProcess, spawn, spawnSync, SpawnSyncOptions } from 'child_process';
import { createWriteStream } from 'fs';
import { createServer } from 'net';

/** A failed expectation of the boot test: its message is the report. */
export class BootTestFailure extends Error {}

/** Runs a command to completion; throws with its output when it fails. Returns stdout. */
export function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  return runBinary(command, args, options).toString('utf8');
}

/** Like {@link run}, stdout as bytes. */
export function runBinary(command: string, args: string[], options: SpawnSyncOptions = {}): Buffer {
  const result = spawnSync(command, args, { maxBuffer: 256 * 1024 * 1024, ...options, encoding: 'buffer' });
  if (result.error) throw new BootTestFailure(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new BootTestFailure(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}\n`
      + `${result.stdout.toString('utf8')}${result.stderr.toString('utf8')}`.trim());
  }
  return result.stdout;
}

/** Background processes still running: stopped on the way out, whatever happened. */
const running = new Set<Background>();

/** Stops every background process this run started (by its own pid). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((background) => background.stop()));
}

/** A background process whose stdout and stderr go to a log file; stopped by its own pid only. */
export class Background {
  private readonly child: ChildProcess;
  private exited = false;

  constructor(readonly name: string, command: string, args: string[], readonly logFile: string) {
    const log = createWriteStream(logFile, { flags: 'a' });
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    running.add(this);
    this.child.on('exit', () => { this.exited = true; running.delete(this); });
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Resolves when the process exits. */
  waitForExit(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.waitForExit();
    clearTimeout(timer);
  }
}

/** A TCP port free on 127.0.0.1 at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value other than undefined, or throws once `timeoutMs` has passed. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new BootTestFailure(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Wall time since `startMs`, as "12.3 s". */
export function seconds(startMs: number): string {
  return `${((Date.now() - startMs) / 1000).toFixed(1)} s`;
}
