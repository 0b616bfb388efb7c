import * as fs from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as ts from 'typescript';
import * as lib from '../lib';
import { sshPublicKey } from './support/docker-vm-stacks';
import { expectValidTerraform } from './support/schema';

// The README's section on logins for your own VMs, existing VMs and fleets shows runnable code: each of its
// TypeScript blocks is compiled and run here, against the library, and what it synthesizes is schema-validated.

const README = fs.readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const SECTION = README.slice(README.indexOf('## Your own VMs'), README.indexOf('## The example apps'));
const BLOCKS = [...SECTION.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

/* eslint-disable @typescript-eslint/no-require-imports -- the blocks' own imports, served to them */
function runBlock(code: string, outdir: string): string[] {
  const written: string[] = [];
  const fakeFs = {
    ...fs,
    readFileSync: (path: string, encoding?: BufferEncoding) => (path === 'id_ed25519.pub' ? sshPublicKey() : fs.readFileSync(path, encoding)),
    writeFileSync: (path: string) => { written.push(path); },
  };
  const requireFor = (id: string): unknown => {
    if (id === 'cdktf-azure-acr-identity') return lib;
    if (id === 'fs') return fakeFs;
    return require(id);
  };
  const { outputText } = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const previous = process.env.CDKTF_OUTDIR;
  process.env.CDKTF_OUTDIR = outdir;
  try {
    new Function('require', 'exports', 'console', outputText)(requireFor, {}, { log: () => undefined });
  } finally {
    if (previous === undefined) delete process.env.CDKTF_OUTDIR;
    else process.env.CDKTF_OUTDIR = previous;
  }
  return written;
}

describe('README: logins on your own VMs, existing VMs and fleets', () => {
  test('the section has its four examples', () => {
    expect(BLOCKS).toHaveLength(4);
  });

  test.each(BLOCKS.map((code, i) => [i + 1, code] as const))('example %d runs and synthesizes valid Terraform', (_, code) => {
    const outdir = fs.mkdtempSync(join(tmpdir(), 'readme-'));
    const written = runBlock(code, outdir);
    const stacks = fs.existsSync(join(outdir, 'stacks')) ? fs.readdirSync(join(outdir, 'stacks')) : [];
    for (const stack of stacks) expectValidTerraform(fs.readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    // Every example either synthesizes a stack or writes the golden-image files.
    expect(stacks.length + written.length).toBeGreaterThan(0);
  });
});
