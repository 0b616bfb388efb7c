import * as path from 'path';
import * as ts from 'typescript';

// The public surface of the package is what lib/index.ts exports. Adding a name here is a minor
// release, removing or renaming one is a major release: edit these lists and CHANGELOG.md together.

/** Names that exist at run time (classes, enums): `require('cdktf-azure-acr-identity')`. */
const RUNTIME_EXPORTS = [
  'AzureSecurityChecks',
  'ContainerRegistry',
  'ContainerRegistryLogin',
  'DockerVirtualMachine',
  'DockerVirtualMachineScaleSet',
  'ExistingVirtualMachineLogin',
  'Grant',
  'Principal',
  'PrincipalType',
  'RegistryLoginMethod',
  'RegistryPrivateEndpoint',
  'RegistryPull',
  'RegistryRole',
  'RegistrySku',
  'RoleAssignmentMode',
  'RuleLevel',
  'UbuntuImage',
  'UserAssignedIdentity',
  'ValidationError',
  'VmBootstrap',
  'VmOutbound',
  'VmOutboundKind',
  'assertNoSecurityFindings',
  'securityFindingsOf',
];

/** Names that exist only for the type checker (interfaces): removing one breaks consumers' builds. */
const TYPE_ONLY_EXPORTS = [
  'AzureSecurityChecksProps',
  'ContainerAppRegistryBlock',
  'ContainerGroupPullOptions',
  'ContainerGroupRegistryCredentialBlock',
  'ContainerRegistryAttributes',
  'ContainerRegistryLoginProps',
  'ContainerRegistryLookupOptions',
  'ContainerRegistryProps',
  'DockerVirtualMachineProps',
  'DockerVirtualMachineScaleSetProps',
  'ExistingVirtualMachineLoginProps',
  'IAppServiceResource',
  'IAppWithIdentity',
  'IContainerAppResource',
  'IContainerGroupResource',
  'IContainerRegistry',
  'IGrantDependent',
  'IGrantable',
  'IKubernetesClusterResource',
  'ILookedUpContainerRegistry',
  'IPrincipal',
  'IRegistryLogin',
  'IResourceWithIdentity',
  'IUserAssignedIdentity',
  'PolicyFinding',
  'PolicyRuleInfo',
  'PolicySuppression',
  'PullImagesOptions',
  'RegistryGrantOptions',
  'RegistryLoginSettings',
  'RegistryPrivateEndpointOptions',
  'RegistryPullOptions',
  'RoleAssignmentOptions',
  'SecurityFindingsOptions',
  'UserAssignedIdentityAttributes',
  'UserAssignedIdentityProps',
  'ValidationProblem',
  'VmBootstrapLogin',
  'VmBootstrapUserDataOptions',
];

const INDEX = path.join(__dirname, '..', 'lib', 'index.ts');

/** The symbols lib/index.ts exports, as the type checker sees them (one program for the whole file). */
const declared = (() => {
  let cache: { checker: ts.TypeChecker; symbols: Array<{ name: string; target: ts.Symbol }> } | undefined;
  return () => {
    if (!cache) {
      const program = ts.createProgram([INDEX], {
        module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [], noEmit: true,
      });
      const checker = program.getTypeChecker();
      const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(INDEX)!)!;
      const symbols = checker.getExportsOfModule(moduleSymbol).map((symbol) => ({
        name: symbol.name,
        target: symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol,
      }));
      cache = { checker, symbols };
    }
    return cache;
  };
})();

describe('public API', () => {
  test('the run-time exports of lib/index.ts are the committed list', () => {
    // GIVEN the library's entry point, loaded as a consumer's require() would
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = Object.keys(require('../lib')).sort();
    // THEN it exports exactly the committed names
    expect(exported).toEqual(RUNTIME_EXPORTS);
  });

  test('the type-only exports of lib/index.ts are the committed list', () => {
    // GIVEN the declarations the type checker sees in lib/index.ts
    const { symbols } = declared();
    const isValue = (target: ts.Symbol) => (target.flags & ts.SymbolFlags.Value) !== 0;
    // THEN values and interfaces are exactly the committed names
    expect(symbols.filter((s) => isValue(s.target)).map((s) => s.name).sort()).toEqual(RUNTIME_EXPORTS);
    expect(symbols.filter((s) => !isValue(s.target)).map((s) => s.name).sort()).toEqual(TYPE_ONLY_EXPORTS);
  });

  test('every optional property of an exported interface documents its default', () => {
    // GIVEN the optional properties of every exported props/options/attributes interface
    const { checker, symbols } = declared();
    const optional = symbols
      .filter((s) => s.target.flags & ts.SymbolFlags.Interface)
      .flatMap((s) => checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(s.target))
        .filter((p) => p.flags & ts.SymbolFlags.Optional)
        .map((p) => ({ name: `${s.name}.${p.name}`, tags: p.getJsDocTags().map((t) => t.name) })));
    expect(optional.length).toBeGreaterThan(10); // the walk really reaches the props
    // THEN each says what happens when it is left out (`@default <value>` or `@default - <behaviour>`)
    expect(optional.filter((p) => !p.tags.includes('default')).map((p) => p.name)).toEqual([]);
  });

  test('the committed lists are sorted and disjoint, so a diff shows one decision per line', () => {
    for (const list of [RUNTIME_EXPORTS, TYPE_ONLY_EXPORTS]) expect(list).toEqual([...list].sort());
    expect(RUNTIME_EXPORTS.filter((name) => TYPE_ONLY_EXPORTS.includes(name))).toEqual([]);
  });
});
