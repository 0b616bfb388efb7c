/**
 * The README's AKS and consumer snippets, type-checked (strict) and synthesized as a platform team would
 * paste them into a stack that has a `registry`: the README stays true.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import * as ts from 'typescript';
import { expectValidTerraform } from './support/schema';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON */
const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The `ts` code blocks of the README section titled `title`. */
function snippetsOf(title: string): string[] {
  const start = README.indexOf(`### ${title}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = README.indexOf('\n### ', start + 1);
  const section = README.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** A module with the snippet's imports on top and its statements in a stack that has a registry. */
function stackModule(snippet: string): string {
  const lines = snippet.split('\n');
  const imports = lines.filter((l) => l.startsWith('import '))
    .map((l) => l.replace("'cdktf-azure-acr-identity'", "'../lib'"));
  const body = lines.filter((l) => !l.startsWith('import '));
  return [
    "import { TerraformStack, Testing } from 'cdktf';",
    "import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';",
    "import { ContainerRegistry as ReadmeRegistry } from '../lib';",
    ...imports,
    'class ReadmeStack extends TerraformStack {',
    '  constructor() {',
    "    super(Testing.app(), 'Readme');",
    "    new AzurermProvider(this, 'azurerm', { features: [{}] });",
    "    const registry = new ReadmeRegistry(this, 'Registry', { name: 'myContainerRegistry', resourceGroupName: 'myResourceGroup', location: 'eastus' });",
    ...body.map((l) => `    ${l}`),
    '  }',
    '}',
    'export const synthesized: string = Testing.synth(new ReadmeStack(), true);',
  ].join('\n');
}

const SECTIONS = {
  aks: 'AKS: `az aks update --attach-acr` as code',
  consumers: 'Apps that pull: App Service, Container Apps, Container Instances',
  abac: 'Repository-scoped grants (ABAC)',
};

let dir: string;
let diagnostics: string[];
beforeAll(() => {
  // One strict type-check of every snippet (one program: the provider declarations load once).
  dir = mkdtempSync(join(ROOT, '.readme-'));
  const files = Object.entries(SECTIONS).map(([name, title]) => {
    const file = join(dir, `${name}.ts`);
    writeFileSync(file, stackModule(snippetsOf(title)[0]));
    return file;
  });
  const program = ts.createProgram(files, {
    strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true, skipLibCheck: true, noEmit: true, types: ['node'],
  });
  diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the type-checked snippet of a section: the stack's Terraform JSON, valid against the provider schemas. */
function synthesized(name: keyof typeof SECTIONS): any {
  expect(diagnostics).toEqual([]);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { synthesized: text } = require(join(dir, `${name}.ts`)) as { synthesized: string };
  expectValidTerraform(text);
  return JSON.parse(text);
}

describe('README', () => {
  test('the AKS section\'s code grants AcrPull to the kubelet identity', () => {
    const json = synthesized('aks');
    const [assignment] = Object.values<any>(json.resource.azurerm_role_assignment);
    expect(assignment.principal_id).toBe('${azurerm_kubernetes_cluster.Aks.kubelet_identity[0].object_id}');
  });

  test('the consumers section\'s code wires a web app, a container app and a container group with one role assignment', () => {
    const json = synthesized('consumers');
    const assignments = Object.keys(json.resource.azurerm_role_assignment).map((k) => `azurerm_role_assignment.${k}`);
    expect(assignments).toHaveLength(1);
    const { azurerm_linux_web_app: web, azurerm_container_app: api, azurerm_container_group: job } = json.resource;
    expect(web.Web.site_config.container_registry_managed_identity_client_id).toBe('${azurerm_user_assigned_identity.AppIdentity.client_id}');
    expect(api.Api.registry).toEqual([{ server: '${azurerm_container_registry.Registry.login_server}', identity: '${azurerm_user_assigned_identity.AppIdentity.id}' }]);
    expect(job.Job.image_registry_credential).toEqual([{
      server: '${azurerm_container_registry.Registry.login_server}', user_assigned_identity_id: '${azurerm_user_assigned_identity.AppIdentity.id}',
    }]);
    for (const app of [web.Web, api.Api, job.Job]) expect(app.depends_on).toEqual(assignments);
  });

  test('the repository-scoped section\'s code limits a reader and a writer to their repositories, after the ABAC switch', () => {
    const json = synthesized('abac');
    const { Puller, Builder } = Object.fromEntries(Object.values<any>(json.resource.azurerm_role_assignment)
      .map((a) => [/user_assigned_identity\.(\w+)\./.exec(a.principal_id)![1], a]));
    expect(Puller.condition).toMatch(/StringEqualsIgnoreCase 'aci-helloworld'\n  OR\n  .* StringStartsWithIgnoreCase 'team-a\/'/);
    expect(Builder.condition).toContain('content/write');
    expect(Builder.condition).toMatch(/StringStartsWithIgnoreCase 'team-a\/'/);
    for (const assignment of [Puller, Builder]) expect(assignment.depends_on).toEqual([expect.stringMatching(/^terraform_data\./)]);
  });
});
