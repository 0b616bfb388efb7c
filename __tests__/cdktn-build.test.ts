import * as fs from 'fs';
import * as path from 'path';

// The cdktn build's scripts are plain CommonJS run by node; their exports, typed here.
interface RenameImports {
  CDKTN_RENAMES: Record<string, string>;
  renameImports(text: string, fileName: string, renames?: Record<string, string>): string;
}
interface Difference { path: string; a: unknown; b: unknown; reason?: string }
interface CompareSynth {
  compareStacks(cdktf: unknown, cdktn: unknown, versions: Record<string, string>): Difference[];
}
/* eslint-disable @typescript-eslint/no-require-imports */
const { CDKTN_RENAMES, renameImports } = require('../scripts/cdktn/rename-imports') as RenameImports;
const { compareStacks } = require('../scripts/cdktn/compare-synth') as CompareSynth;
/* eslint-enable @typescript-eslint/no-require-imports */

const LIB = path.join(__dirname, '..', 'lib');

function libSources(dir = LIB): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return libSources(file);
    return file.endsWith('.ts') ? [file] : [];
  });
}

describe('renameImports', () => {
  test('renames every module specifier of cdktf and its azurerm binding, subpaths included', () => {
    // GIVEN every syntax that names a module
    const source = [
      "import { App, Fn } from 'cdktf';",
      'import type { IConstruct } from "constructs";',
      "import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';",
      "export { Token } from 'cdktf';",
      "import jest = require('cdktf/lib/testing/adapters/jest');",
      "const lazy = () => import('@cdktf/provider-azurerm/lib/subnet');",
      "const required = require('cdktf');",
      "type T = import('cdktf').TerraformStack;",
      "import { grant } from './grant';",
    ].join('\n');
    // WHEN
    const renamed = renameImports(source, 'x.ts');
    // THEN only the specifiers change, quotes kept
    expect(renamed.split('\n')).toEqual([
      "import { App, Fn } from 'cdktn';",
      'import type { IConstruct } from "constructs";',
      "import { RoleAssignment } from '@cdktn/provider-azurerm/lib/role-assignment';",
      "export { Token } from 'cdktn';",
      "import jest = require('cdktn/lib/testing/adapters/jest');",
      "const lazy = () => import('@cdktn/provider-azurerm/lib/subnet');",
      "const required = require('cdktn');",
      "type T = import('cdktn').TerraformStack;",
      "import { grant } from './grant';",
    ]);
  });

  test('leaves comments and strings that mention cdktf alone', () => {
    const source = "/** Errors fail `cdktf synth`. */\nconst marker = Symbol.for('cdktf/TerraformStack');\nconst name = 'cdktf';\n";
    expect(renameImports(source, 'x.ts')).toBe(source);
  });

  test('renames a consumer\'s import of the library with an extra rename', () => {
    const renames = { ...CDKTN_RENAMES, 'cdktf-azure-acr-identity': 'cdktn-azure-acr-identity' };
    expect(renameImports("import { ContainerRegistry } from 'cdktf-azure-acr-identity';", 'main.ts', renames))
      .toBe("import { ContainerRegistry } from 'cdktn-azure-acr-identity';");
  });

  test('refuses a cdktf package that has no cdktn counterpart, naming file and line', () => {
    // GIVEN the null provider, which is not published for cdktn
    const source = "import { Fn } from 'cdktf';\nimport { Resource } from '@cdktf/provider-null/lib/resource';\n";
    // THEN
    expect(() => renameImports(source, 'lib/sample.ts')).toThrow(new Error(
      "imports that the cdktn build cannot rename:\nlib/sample.ts:2: '@cdktf/provider-null/lib/resource' has no cdktn counterpart"));
    // and the same file without it passes
    expect(renameImports("import { Fn } from 'cdktf';\n", 'lib/sample.ts')).toBe("import { Fn } from 'cdktn';\n");
  });

  test('every lib/ file renames, and the result imports no cdktf package (lib/ needs nothing cdktn lacks)', () => {
    // GIVEN the library's sources as they are now
    const sources = libSources();
    expect(sources.length).toBeGreaterThan(20);
    for (const file of sources) {
      const relative = path.relative(path.join(LIB, '..'), file);
      // WHEN
      const renamed = renameImports(fs.readFileSync(file, 'utf8'), relative);
      // THEN no import or require of cdktf or an @cdktf package is left
      expect({ file: relative, left: renamed.match(/(from |require\(|import\()\s*['"](cdktf|@cdktf\/)[^'"]*['"]/g) })
        .toEqual({ file: relative, left: null });
    }
  });
});

describe('compareStacks', () => {
  const versions = { cdktf: '0.21.0', cdktn: '0.24.0', azurermOfCdktf: '4.55.0', azurermOfCdktn: '4.73.0' };
  const stack = (framework: string, azurerm: string, dir: string, extra: Record<string, unknown> = {}) => ({
    '//': { metadata: { backend: 'local', stackName: 's', version: framework } },
    resource: { azurerm_resource_group: { ResourceGroup: { name: 'myResourceGroup', location: 'eastus', ...extra } } },
    terraform: {
      backend: { local: { path: `${dir}/terraform.s.tfstate` } },
      required_providers: { azurerm: { source: 'azurerm', version: azurerm } },
    },
  });

  test('explains the framework version, the provider version and the state path', () => {
    const found = compareStacks(stack('0.21.0', '4.55.0', '/tmp/a'), stack('0.24.0', '4.73.0', '/tmp/b'), versions);
    expect(found.map((d) => [d.path, Boolean(d.reason)])).toEqual([
      ['//.metadata.version', true],
      ['terraform.backend.local.path', true],
      ['terraform.required_providers.azurerm.version', true],
    ]);
  });

  test('leaves any other difference unexplained, a missing attribute included', () => {
    const found = compareStacks(stack('0.21.0', '4.55.0', '/tmp/a', { tags: { a: '1' } }),
      stack('0.24.0', '4.73.0', '/tmp/a', { location: 'westeurope' }), versions);
    expect(found.filter((d) => !d.reason)).toEqual([
      { path: 'resource.azurerm_resource_group.ResourceGroup.location', a: 'eastus', b: 'westeurope', reason: undefined },
      { path: 'resource.azurerm_resource_group.ResourceGroup.tags', a: { a: '1' }, b: undefined, reason: undefined },
    ]);
  });

  test('does not explain a version other than the installed ones', () => {
    const found = compareStacks(stack('0.21.0', '4.55.0', '/tmp/a'), stack('0.24.0', '4.60.0', '/tmp/a'), versions);
    expect(found).toEqual([
      expect.objectContaining({ path: '//.metadata.version', reason: expect.any(String) }),
      { path: 'terraform.required_providers.azurerm.version', a: '4.55.0', b: '4.60.0', reason: undefined },
    ]);
  });
});

describe('the README\'s install commands', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const manifest = (file: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '..', file), 'utf8'));
  /** The `name@spec` arguments of the README's `npm install <pkg> ...` line. */
  const installed = (pkg: string) => {
    const line = readme.split('\n').find((l) => l.startsWith(`npm install ${pkg} `));
    expect(line).toBeDefined();
    return Object.fromEntries(line!.split(' ').slice(3).map((arg) => [arg.slice(0, arg.lastIndexOf('@')), arg.slice(arg.lastIndexOf('@') + 1)]));
  };

  test('the cdktf install pins the versions this repository builds and tests with', () => {
    const { devDependencies } = manifest('package.json');
    expect(installed('cdktf-azure-acr-identity')).toEqual({
      'cdktf': devDependencies.cdktf,
      '@cdktf/provider-azurerm': devDependencies['@cdktf/provider-azurerm'],
      'constructs': devDependencies.constructs,
    });
  });

  test('the cdktn install names the versions and sets the override that packages/cdktn installs with', () => {
    const { devDependencies, overrides } = manifest('packages/cdktn/package.json');
    expect(installed('cdktn-azure-acr-identity')).toEqual({
      'cdktn': devDependencies.cdktn,
      '@cdktn/provider-azurerm': devDependencies['@cdktn/provider-azurerm'],
      'constructs': `~${devDependencies.constructs}`,
    });
    expect(overrides).toEqual({ '@cdktn/provider-azurerm': { cdktn: '$cdktn' } });
    expect(readme).toContain("npm pkg set 'overrides.@cdktn/provider-azurerm.cdktn=$cdktn'");
  });
});
