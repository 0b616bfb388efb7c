/**
 * Test support for apps of several stacks: cross-stack references resolve only when the whole app is
 * synthesized, so these helpers synthesize it into a fresh directory and read every stack back.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON */

/** Two stacks with the azurerm provider, as `cdktf synth` sees them, in an app writing to a fresh directory. */
export function twoStacks(): { app: App; shared: TerraformStack; workload: TerraformStack } {
  const app = Testing.app({ outdir: mkdtempSync(join(tmpdir(), 'grant-test-')) });
  const [shared, workload] = ['Shared', 'Workload'].map((id) => {
    const stack = new TerraformStack(app, id);
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    return stack;
  });
  return { app, shared, workload };
}

/** Synthesizes the whole app (cross-stack references resolve only then): each stack's JSON and dependencies. */
export function synthApp(app: App): { json: Record<string, any>; dependencies: Record<string, string[]> } {
  try {
    app.synth();
    const manifest = JSON.parse(readFileSync(join(app.outdir, 'manifest.json'), 'utf8'));
    const json: Record<string, any> = {};
    const dependencies: Record<string, string[]> = {};
    for (const [name, stack] of Object.entries<any>(manifest.stacks)) {
      json[name] = JSON.parse(readFileSync(join(app.outdir, stack.synthesizedStackPath), 'utf8'));
      dependencies[name] = stack.dependencies;
    }
    return { json, dependencies };
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

/** The `${data.terraform_remote_state...}` expression by which a consumer reads the output of `producer` holding `value`. */
export function crossStackReference(json: Record<string, any>, producer: string, value: string): string {
  const outputs = Object.entries<any>(json[producer].output ?? {}).filter(([, output]) => output.value === value);
  expect(outputs).toHaveLength(1);
  return `\${data.terraform_remote_state.cross-stack-reference-input-${producer}.outputs.${outputs[0][0]}}`;
}
