// Shared by the benchmark's child processes: how they report back to bench/run.ts.
import { performance } from 'perf_hooks';

/** The first line of stdout that starts with this carries the child's measurements as JSON. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

/** Milliseconds since the process started (node's time origin), so module loading is included. */
export function now(): number {
  return performance.now();
}

/** What a child reports; each child fills in its part. */
export interface ChildReport {
  /** Milliseconds from process start to the end of module loading (synth children), or of one require (load children). */
  readonly loadMs?: number;
  readonly constructMs?: number;
  readonly synthMs?: number;
  /** The files the process loaded (load children). */
  readonly modules?: string[];
  /** Milliseconds each part of the library took to load after the floor's modules (load-marginal). */
  readonly marginalMs?: Record<string, number>;
  readonly maxRssMiB?: number;
}

/** Prints the child's measurements and its peak resident memory (MiB). */
export function report(figures: ChildReport): void {
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ ...figures, maxRssMiB })}\n`);
}

/** A required environment variable. */
export function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`bench: ${name} is not set`);
  return value;
}

/** The SSH key every benchmark stack uses (valid Ed25519, so the library's key check does its real work). */
export const SSH_PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII+7PpBGMViOridW3Iq4miX8E4H8P1Thxj3lndP8GBb7 bench@example';
