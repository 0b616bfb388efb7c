// Reading what `app.synth()` wrote, to check the floor synthesizes what the library does.
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

/** A block of a resource, data source or output: only its keys are read here. */
type Block = Record<string, unknown>;

/** The parts of a synthesized stack (cdk.tf.json) read here. */
interface StackJson {
  resource?: Record<string, Record<string, Block>>;
  data?: Record<string, Record<string, Block>>;
}

function stacks(outdir: string): Record<string, StackJson> {
  const dir = join(outdir, 'stacks');
  return Object.fromEntries(readdirSync(dir).sort().map((id) => [id, JSON.parse(readFileSync(join(dir, id, 'cdk.tf.json'), 'utf8'))]));
}

/** The custom data and user data of each stack's one Linux VM, as the floor writes them by hand. */
export interface VmData {
  readonly customData: string;
  readonly userData: string;
  /** The stack's locals (the login's bootstrap and payload), in the library's order. */
  readonly locals: Record<string, string>;
}

/** The custom data and user data of each stack's one Linux VM. */
export function vmDataByStack(outdir: string): Record<string, VmData> {
  return Object.fromEntries(Object.entries(stacks(outdir)).map(([id, json]) => {
    const vms = Object.values(json.resource?.azurerm_linux_virtual_machine ?? {});
    if (vms.length !== 1) throw new Error(`bench: stack ${id} has ${vms.length} VMs, expected 1`);
    return [id, { customData: String(vms[0].custom_data), userData: String(vms[0].user_data), locals: (json as { locals?: Record<string, string> }).locals ?? {} }];
  }));
}

/** What the floor of a fleet copies from the library's 2-host fleet: the stack's locals and each variant's user data. */
export interface FleetData {
  readonly locals: Record<string, string>;
  /** Host 0's user data (user-assigned identity `Id0`). */
  readonly userAssigned: string;
  /** Host 1's user data (system-assigned identity). */
  readonly systemAssigned: string;
}

/** The locals and the user data of hosts 0 and 1 of the fleet stack in `outdir`, whose machines are of `type`. */
export function fleetDataOf(outdir: string, type: string): FleetData {
  const json = stacks(outdir).fleet as StackJson & { locals?: Record<string, string> };
  const machines = json.resource?.[type] ?? {};
  const userData = (name: string) => String(machines[name]?.user_data);
  return { locals: json.locals ?? {}, userAssigned: userData('Host0'), systemAssigned: userData('Host1') };
}

/** The size of each stack's cdk.tf.json in bytes. */
export function stackBytes(outdir: string): number {
  const dir = join(outdir, 'stacks');
  return readdirSync(dir).reduce((sum, id) => sum + readFileSync(join(dir, id, 'cdk.tf.json')).length, 0);
}

/** Whether two synth outputs are byte-identical, stack by stack. */
export function byteIdentical(libraryOut: string, floorOut: string): boolean {
  const dir = (out: string) => join(out, 'stacks');
  const ids = readdirSync(dir(libraryOut)).sort();
  return JSON.stringify(ids) === JSON.stringify(readdirSync(dir(floorOut)).sort())
    && ids.every((id) => readFileSync(join(dir(libraryOut), id, 'cdk.tf.json')).equals(readFileSync(join(dir(floorOut), id, 'cdk.tf.json'))));
}

/** `resource.<type>` and `data.<type>` → how many blocks, over all stacks. */
export function resourceCounts(outdir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const json of Object.values(stacks(outdir))) {
    for (const [key, n] of Object.entries(countsOf(json))) counts[key] = (counts[key] ?? 0) + n;
  }
  return sorted(counts);
}

/** Whether two synth outputs have the same resource types and counts, and whether they are identical but for metadata. */
export function compareStacks(libraryOut: string, floorOut: string): { sameResources: boolean; summary: string } {
  const library = stacks(libraryOut);
  const floor = stacks(floorOut);
  let sameResources = JSON.stringify(Object.keys(library)) === JSON.stringify(Object.keys(floor));
  let identical = sameResources;
  const lines = Object.keys(library).filter((id) => floor[id]).map((id) => {
    const [a, b] = [countsOf(library[id]), countsOf(floor[id])];
    const sameCounts = JSON.stringify(a) === JSON.stringify(b);
    const diffs = differences(withoutMetadata(library[id]), withoutMetadata(floor[id]), '');
    sameResources &&= sameCounts;
    identical &&= diffs.length === 0;
    const total = Object.values(a).reduce((x, y) => x + y, 0);
    const counts = sameCounts ? 'same types and counts' : `DIFFERENT: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
    const json = diffs.length === 0
      ? 'identical JSON but for metadata'
      : `JSON differs at ${diffs.slice(0, 5).join(', ')}${diffs.length > 5 ? ` and ${diffs.length - 5} more` : ''}`;
    return `${id}: ${total} resources and data sources, ${counts}, ${json}`;
  });
  return { sameResources, summary: `${identical ? 'the floor synthesizes the same Terraform JSON as the library. ' : ''}${lines.join('; ')}` };
}

/** `resource.<type>` and `data.<type>` → how many blocks in one stack. */
function countsOf(json: StackJson): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of ['resource', 'data'] as const) {
    for (const [type, blocks] of Object.entries(json[kind] ?? {})) counts[`${kind}.${type}`] = Object.keys(blocks).length;
  }
  return sorted(counts);
}

function sorted(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([x], [y]) => x.localeCompare(y)));
}

/** Drops cdktf's `//` metadata (construct paths), which differ between any two ways of writing a stack. */
function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '//').map(([k, v]) => [k, withoutMetadata(v)]));
  }
  return value;
}

function differences(a: unknown, b: unknown, path: string): string[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differences(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path || '(root)'];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
