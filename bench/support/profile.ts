// Reading a V8 CPU profile (node --cpu-prof): where the time went, by frame and by package.
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { packageOf } from './modules';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  readonly name: string;
  readonly ms: number;
  readonly percent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Self time by package (the library's own files are `lib/`, `examples/`, `bench/`). */
  readonly byPackage: Share[];
  /** The frames with the most self time. */
  readonly topSelf: Share[];
  /** The library's (lib/) functions with the most inclusive time: what the library spends, callees included. */
  readonly topLibraryInclusive: Share[];
  /** For the frames with the most self time: the nearest library function on their stacks, by time. */
  readonly topSelfByLibraryCaller: { frame: Share; callers: Share[] }[];
}

/** Summarizes the one .cpuprofile in `dir`; `root` is stripped from file names. */
export function summarizeProfile(dir: string, root: string): ProfileSummary {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`bench: no .cpuprofile in ${dir}`);
  const profile: CpuProfile = JSON.parse(readFileSync(join(dir, file), 'utf8'));

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const shortUrl = (url: string) => url.replace(/^file:\/\//, '').replace(`${root}/`, '').replace(/^.*\/node_modules\//, '');
  const frameKey = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    return url ? `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}` : functionName;
  };
  const packageKey = (n: ProfileNode) => {
    const url = n.callFrame.url.replace(/^file:\/\//, '');
    if (!url) return n.callFrame.functionName; // (program), (garbage collector), (idle), (root)
    if (url.startsWith('node:')) return 'node internals';
    const pkg = packageOf(url);
    return pkg === '(own)' ? `${shortUrl(url).split('/')[0]}/` : pkg;
  };
  const isLibrary = (n: ProfileNode) => n.callFrame.url.replace(/^file:\/\//, '').startsWith(`${root}/lib/`);

  const self = new Map<string, number>();
  const packages = new Map<string, number>();
  const libraryInclusive = new Map<string, number>();
  const libraryCaller = new Map<string, Map<string, number>>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    // A sample lasts until the next one.
    const us = profile.timeDeltas[i + 1] ?? 0;
    totalUs += us;
    const node = byId.get(id)!;
    self.set(frameKey(node), (self.get(frameKey(node)) ?? 0) + us);
    packages.set(packageKey(node), (packages.get(packageKey(node)) ?? 0) + us);
    const seen = new Set<string>();
    let nearest: string | undefined;
    for (let n: ProfileNode | undefined = node; n; n = byId.get(parent.get(n.id)!)) {
      if (!isLibrary(n)) continue;
      nearest ??= frameKey(n);
      seen.add(frameKey(n));
    }
    for (const key of seen) libraryInclusive.set(key, (libraryInclusive.get(key) ?? 0) + us);
    const callers = libraryCaller.get(frameKey(node)) ?? new Map<string, number>();
    libraryCaller.set(frameKey(node), callers);
    const caller = nearest ?? '(no library function on the stack)';
    callers.set(caller, (callers.get(caller) ?? 0) + us);
  });

  const top = (map: Map<string, number>, count: number): Share[] => [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, ms: us / 1000, percent: (100 * us) / totalUs }));
  const topSelf = top(self, 12);
  return {
    totalMs: totalUs / 1000,
    byPackage: top(packages, 12),
    topSelf,
    topLibraryInclusive: top(libraryInclusive, 12),
    topSelfByLibraryCaller: topSelf.slice(0, 5).map((frame) => ({ frame, callers: top(libraryCaller.get(frame.name)!, 4) })),
  };
}

export type Section = 'packages' | 'frames' | 'library' | 'callers';

/** Plain-text lines of a summary. */
export function formatSummary(title: string, s: ProfileSummary, sections: Section[] = ['packages', 'frames', 'library', 'callers']): string[] {
  const rows = (shares: Share[]) => shares.map((x) => `    ${x.ms.toFixed(0).padStart(7)} ms ${x.percent.toFixed(1).padStart(5)}%  ${x.name}`);
  const parts: Record<Section, string[]> = {
    packages: ['  self time by package:', ...rows(s.byPackage)],
    frames: ['  top frames, self time:', ...rows(s.topSelf)],
    library: ['  library (lib/) functions, inclusive time:', ...rows(s.topLibraryInclusive)],
    callers: [
      '  top self-time frames by nearest library caller:',
      ...s.topSelfByLibraryCaller.flatMap(({ frame, callers }) => [`    ${frame.name}:`, ...rows(callers).map((r) => `  ${r}`)]),
    ],
  };
  return [`${title} (${s.totalMs.toFixed(0)} ms sampled)`, ...sections.flatMap((section) => parts[section])];
}
