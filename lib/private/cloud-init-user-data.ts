import { createHash } from 'crypto';
import { MessageChannel, receiveMessageOnPort, Worker } from 'worker_threads';
import { gunzipSync } from 'zlib';
import type * as Yaml from 'yaml';

// What cloud-init accepts as user data (custom_data on Azure), and the multipart MIME archive that combines
// a team's own cloud-init with the login's bootstrap.

/**
 * The first line of user data and the content type cloud-init gives it: `INCLUSION_TYPES_MAP` in cloud-init's
 * `cloudinit/handlers/__init__.py`, matched case-insensitively, longest first as cloud-init does.
 */
const CONTENT_TYPE_BY_START: ReadonlyArray<readonly [string, string]> = [
  ['#cloud-config-archive', 'text/cloud-config-archive'],
  ['#cloud-config-jsonp', 'text/cloud-config-jsonp'],
  ['## template: jinja', 'text/jinja2'],
  ['#cloud-boothook', 'text/cloud-boothook'],
  ['#include-once', 'text/x-include-once-url'],
  ['#part-handler', 'text/part-handler'],
  ['#cloud-config', 'text/cloud-config'],
  ['#include', 'text/x-include-url'],
  ['#!', 'text/x-shellscript'],
];

/** cloud-init reads user data as a MIME message when its first 4096 bytes name a MIME version (`convert_string`). */
const MIME_MARKER = 'mime-version:';

/** gzip's magic bytes: cloud-init decompresses such user data first. */
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

export const CLOUD_CONFIG_TYPE = 'text/cloud-config';
export const MULTIPART_TYPE = 'multipart/mixed';

/** User data as cloud-init sees it: its content type and its text (decompressed). */
export interface CloudInitUserData {
  readonly contentType: string;
  readonly text: string;
}

/** The content types cloud-init recognises by a first line, for error messages. */
export const RECOGNISED_STARTS = CONTENT_TYPE_BY_START.map(([start]) => start);

/**
 * What cloud-init makes of user data given as base64 (`custom_data`): its content type and text, or undefined
 * when cloud-init would ignore it (no recognised first line, not MIME).
 */
export function cloudInitUserDataOf(base64: string): CloudInitUserData | undefined {
  let bytes = Buffer.from(base64, 'base64');
  if (bytes.subarray(0, 2).equals(GZIP_MAGIC)) bytes = gunzipSync(bytes);
  const text = bytes.toString('utf8');
  if (text.slice(0, 4096).toLowerCase().includes(MIME_MARKER)) return { contentType: MULTIPART_TYPE, text };
  const start = text.toLowerCase();
  const match = CONTENT_TYPE_BY_START.find(([prefix]) => start.startsWith(prefix));
  return match ? { contentType: match[1], text } : undefined;
}

/** The users a cloud-config creates: whether it keeps the image's default user (the VM's admin), and the names it adds. */
export interface CloudConfigUsers {
  readonly createsDefaultUser: boolean;
  readonly names: string[];
}

/**
 * The `users` of a cloud-config, as cloud-init's `ug_util.normalize_users_groups` reads them: absent means the
 * default user only; a list (or comma-separated string) of names, `default`, or `{ name: ... }` entries; or a
 * mapping of names. Undefined when the text is not a YAML mapping.
 */
export function cloudConfigUsersOf(cloudConfig: string): CloudConfigUsers | undefined {
  let config: unknown;
  try {
    config = loadYaml().parse(cloudConfig, { version: '1.1' });
  } catch {
    return undefined;
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return undefined;
  const users = (config as Record<string, unknown>).users;
  if (users === undefined || users === null) return { createsDefaultUser: true, names: [] };
  const entries: unknown[] = typeof users === 'string' ? users.split(',').map((u) => u.trim())
    : Array.isArray(users) ? users
      : typeof users === 'object' ? Object.keys(users) : [];
  const names = entries.flatMap((entry) => {
    if (typeof entry === 'string') return [entry];
    const name = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>).name : undefined;
    return typeof name === 'string' ? [name] : [];
  });
  return { createsDefaultUser: names.includes('default'), names: names.filter((n) => n !== 'default') };
}

/** One part of a multipart archive. */
export interface ArchivePart {
  readonly contentType: string;
  /** The part's name: cloud-init names a script it runs after it. */
  readonly filename: string;
  readonly text: string;
  /** Extra headers, e.g. `Merge-Type`. */
  readonly headers?: Record<string, string>;
}

/** How long to wait for the MIME build: it takes milliseconds; a hang must not hang synth. */
const BUILD_TIMEOUT_MS = 30_000;

/** nodemailer's MIME builder, loaded by the worker (buildMultipartArchive's second argument: for tests). */
const MIME_NODE_MODULE = 'nodemailer/lib/mime-node';

/**
 * Builds a cloud-init multipart MIME archive (`multipart/mixed`, as `cloud-init devel make-mime` writes) with
 * nodemailer's MIME builder. A part that is itself a MIME message is nested as it is. The boundary derives from
 * the parts, so the same parts give the same text (custom_data must not change between synths).
 *
 * nodemailer builds asynchronously (streams) and a construct is synchronous, so the build runs in a worker
 * thread while this thread waits for it (`Atomics.wait`) and takes its answer with `receiveMessageOnPort`.
 * Results are cached by content: a fleet of targets with the same cloud-init builds once.
 */
export function buildMultipartArchive(parts: ArchivePart[], mimeNodePath = require.resolve(MIME_NODE_MODULE)): string {
  const key = hashOf(parts);
  const cached = archives.get(key);
  if (cached !== undefined) return cached;
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(BUILD_IN_WORKER, {
    eval: true,
    workerData: { mimeNodePath, boundary: key.slice(0, 24), parts, done, port: port2 },
    transferList: [port2],
  });
  // The worker answers its errors; an 'error' event nobody listens to would crash the process later.
  worker.on('error', () => undefined);
  try {
    const outcome = Atomics.wait(done, 0, 0, BUILD_TIMEOUT_MS);
    const answer = receiveMessageOnPort(port1)?.message as { message?: string; error?: string } | undefined;
    if (outcome === 'timed-out' || answer?.message === undefined) {
      throw new Error(`buildMultipartArchive: nodemailer did not build the archive: ${answer?.error ?? outcome}`);
    }
    archives.set(key, answer.message);
    return answer.message;
  } finally {
    port1.close();
    void worker.terminate();
  }
}

const archives = new Map<string, string>();

// Runs in the worker: builds the archive with nodemailer's MimeNode (a child of an unused root, so no Date or
// Message-ID header is added: cloud-init needs neither, and they would change every build), then answers.
// Every error is answered too (a module that fails to load, a throwing builder): the caller reports it at
// once instead of waiting out BUILD_TIMEOUT_MS.
const BUILD_IN_WORKER = `
'use strict';
const { workerData } = require('worker_threads');
const { mimeNodePath, boundary, parts, done, port } = workerData;
function answer(reply) {
  port.postMessage(reply);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
}
try {
  const MimeNode = require(mimeNodePath);
  const archive = new MimeNode(undefined, { baseBoundary: boundary, boundaryPrefix: '=' }).createChild('${MULTIPART_TYPE}');
  archive.setHeader('MIME-Version', '1.0');
  for (const part of parts) {
    const node = archive.createChild(part.contentType, { filename: part.filename });
    for (const [name, value] of Object.entries(part.headers || {})) node.setHeader(name, value);
    if (part.contentType === '${MULTIPART_TYPE}') node.setRaw(part.text);
    else node.setContent(part.text);
  }
  archive.build((error, message) => answer(error ? { error: String(error) } : { message: message.toString('utf8') }));
} catch (error) {
  answer({ error: String(error) });
}
`;

function hashOf(parts: ArchivePart[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** yaml is loaded on first use, like the cloud-config renderer's. */
let yaml: typeof Yaml | undefined;
function loadYaml(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred load, measured by npm run bench
  return (yaml ??= require('yaml') as typeof Yaml);
}
