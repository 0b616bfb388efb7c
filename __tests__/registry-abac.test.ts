import { App, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { ContainerRegistry, Principal, RegistryPull, RegistryRole, RoleAssignmentMode, UserAssignedIdentity } from '../lib';
import { aksCluster, containerApp, containerGroup, linuxVm } from './support/raw-resources';
import { expectValidTerraform } from './support/schema';

/* eslint-disable @typescript-eslint/no-explicit-any */
const BASE = { name: 'mycontainerregistry', resourceGroupName: 'myResourceGroup', location: 'eastus' };

function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'TestStack');
}

function identityIn(stack: TerraformStack): UserAssignedIdentity {
  return new UserAssignedIdentity(stack, 'AcrIdentity', { name: 'myACRId', resourceGroupName: 'myResourceGroup', location: 'eastus' });
}

describe('ContainerRegistry roleAssignmentMode', () => {
  test('ABAC mode: az acr update --role-assignment-mode rbac-abac runs once, on the deploying machine, before every grant', () => {
    // GIVEN
    const stack = newStack();
    const registry = new ContainerRegistry(stack, 'Registry', { ...BASE, roleAssignmentMode: RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS });
    const identity = identityIn(stack);

    // WHEN
    registry.grantPull(identity);
    registry.grantPush(identity);
    const json = JSON.parse(Testing.synth(stack));

    // THEN
    const registryId = `\${azurerm_container_registry.${Object.keys(json.resource.azurerm_container_registry)[0]}.id}`;
    const [[modeName, mode]] = Object.entries<any>(json.resource.terraform_data);
    expect(mode.provisioner).toEqual([{
      'local-exec': { command: `az acr update --ids "${registryId}" --role-assignment-mode rbac-abac --output none` },
    }, {
      // Removing roleAssignmentMode switches the registry back, so the AcrPull grantPull then assigns is honoured.
      'local-exec': { command: 'az acr update --ids "${self.input.registryId}" --role-assignment-mode rbac --output none', when: 'destroy' },
    }]);
    expect(mode.triggers_replace).toEqual({ registryId });
    expect(mode.input).toEqual({ registryId });
    const assignments = Object.values<any>(json.resource.azurerm_role_assignment);
    expect(assignments.map((a) => a.role_definition_id)).toEqual([
      expect.stringMatching(new RegExp(`${RegistryRole.REPOSITORY_READER.roleDefinitionGuid}$`)),
      expect.stringMatching(new RegExp(`${RegistryRole.REPOSITORY_WRITER.roleDefinitionGuid}$`)),
    ]);
    for (const assignment of assignments) expect(assignment.depends_on).toEqual([`terraform_data.${modeName}`]);
    expect(registry.roleAssignmentMode).toBe(RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS);
    expectValidTerraform(Testing.synth(stack));
  });

  test('the default mode needs no switch, and grants depend on nothing', () => {
    const stack = newStack();
    const registry = new ContainerRegistry(stack, 'Registry', BASE);
    registry.grantPull(identityIn(stack));

    const json = JSON.parse(Testing.synth(stack));

    expect(json.resource.terraform_data).toBeUndefined();
    expect(registry.roleAssignmentModeResource).toBeUndefined();
    expect(Object.values<any>(json.resource.azurerm_role_assignment)[0].depends_on).toBeUndefined();
    expect(registry.roleAssignmentMode).toBe(RoleAssignmentMode.REGISTRY_PERMISSIONS);
  });

  test('granting a role ABAC ignores to a registry made in ABAC mode fails at synth', () => {
    const stack = newStack();
    const registry = new ContainerRegistry(stack, 'Registry', { ...BASE, roleAssignmentMode: RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS });

    expect(() => registry.grant(identityIn(stack), RegistryRole.ACR_PULL)).toThrow(
      /grant\(role\): "AcrPull" is not honoured by a registry in ABAC mode/);
  });
});

describe('grants limited to repositories', () => {
  const ABAC = RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS;
  const NAME = '@Request[Microsoft.ContainerRegistry/registries/repositories:name]';

  function abacRegistry(stack: TerraformStack, mode: RoleAssignmentMode = ABAC): ContainerRegistry {
    return new ContainerRegistry(stack, 'Registry', { ...BASE, roleAssignmentMode: mode });
  }

  function assignments(stack: TerraformStack): any[] {
    return Object.values<any>(JSON.parse(Testing.synth(stack)).resource.azurerm_role_assignment);
  }

  test('grantPull with repositories: Repository Reader with Microsoft\'s condition, version 2.0', () => {
    // GIVEN
    const stack = newStack();
    const registry = abacRegistry(stack);

    // WHEN
    const grant = registry.grantPull(identityIn(stack), { repositories: ['aci-helloworld'] });

    // THEN
    const [assignment] = assignments(stack);
    expect(assignment.role_definition_id).toMatch(new RegExp(`${RegistryRole.REPOSITORY_READER.roleDefinitionGuid}$`));
    expect(assignment.condition_version).toBe('2.0');
    expect(assignment.condition).toBe([
      '(', ' (',
      "  !(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'})",
      '  AND',
      "  !(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/metadata/read'})",
      ' )', ' OR', ' (',
      `  ${NAME} StringEqualsIgnoreCase 'aci-helloworld'`,
      ' )', ')',
    ].join('\n'));
    // Not create_before_destroy: Terraform would spread it to the principal's VM or cluster and the registry.
    expect(assignment.lifecycle).toBeUndefined();
    expect(assignment.name).toMatch(/\|aci-helloworld"\)}$/);
    expect(grant.repositories).toEqual(['aci-helloworld']);
    expectValidTerraform(Testing.synth(stack));
  });

  test('grants of one role to one principal share one assignment whose condition lists every repository', () => {
    const stack = newStack();
    const registry = abacRegistry(stack);
    const identity = identityIn(stack);

    const first = registry.grantPull(identity, { repositories: ['team-a/'] });
    const second = registry.grantPull(identity, { repositories: ['aci-helloworld', 'team-a/'] });

    const all = assignments(stack);
    expect(all).toHaveLength(1);
    expect(second).toBe(first);
    expect(first.repositories).toEqual(['aci-helloworld', 'team-a/']);
    expect(all[0].condition).toContain(`  ${NAME} StringEqualsIgnoreCase 'aci-helloworld'\n  OR\n  ${NAME} StringStartsWithIgnoreCase 'team-a/'`);
    expect(all[0].name).toMatch(/\|aci-helloworld,team-a\/"\)}$/);
  });

  test('a changed set of repositories changes the assignment\'s name (a new one is created first); an unlimited grant keeps the plain name', () => {
    const names = (repositories?: string[]) => {
      const stack = newStack();
      abacRegistry(stack).grantPull(identityIn(stack), repositories ? { repositories } : undefined);
      return assignments(stack)[0].name;
    };

    expect(names(['a'])).not.toBe(names(['a', 'b']));
    expect(names(['b', 'a'])).toBe(names(['a', 'b']));
    expect(names()).toMatch(/\|b93aa761-3e63-49ed-ac28-beffa264f7ac"\)}$/);
  });

  test.each([
    ['grantPush', RegistryRole.REPOSITORY_WRITER, 4],
    ['grant contributor', RegistryRole.REPOSITORY_CONTRIBUTOR, 6],
  ])('%s limited to a repository: the condition names all %s data actions', (_, role, actions) => {
    const stack = newStack();
    const registry = abacRegistry(stack);
    if (role === RegistryRole.REPOSITORY_WRITER) registry.grantPush(identityIn(stack), { repositories: ['app'] });
    else registry.grant(identityIn(stack), role, { repositories: ['app'] });

    const [assignment] = assignments(stack);
    expect(assignment.role_definition_id).toMatch(new RegExp(`${role.roleDefinitionGuid}$`));
    expect(assignment.condition.match(/ActionMatches/g)).toHaveLength(actions);
  });

  test('an AKS kubelet and a DockerVirtualMachine-style raw VM get Repository Reader on an ABAC registry, limited alike', () => {
    const stack = newStack();
    const registry = abacRegistry(stack);

    registry.grantPull(Principal.ofKubeletIdentity(aksCluster(stack)), { repositories: ['aci-helloworld'] });
    registry.grantPull(Principal.ofSystemAssignedIdentity(linuxVm(stack)), { repositories: ['aci-helloworld'] });

    const all = assignments(stack);
    expect(all.map((a) => a.principal_id)).toEqual([
      expect.stringMatching(/kubelet_identity\[0\]\.object_id}$/), expect.stringMatching(/identity\[0\]\.principal_id}$/),
    ]);
    for (const a of all) {
      expect(a.role_definition_id).toMatch(new RegExp(`${RegistryRole.REPOSITORY_READER.roleDefinitionGuid}$`));
      expect(a.condition).toContain("StringEqualsIgnoreCase 'aci-helloworld'");
    }
    expectValidTerraform(Testing.synth(stack));
  });

  test('a grantee in another stack: its stack is ordered after the switch, never a depends_on across states', () => {
    // GIVEN the registry (switched to ABAC) in one stack, the identity in another
    const app = Testing.app();
    const shared = new TerraformStack(app, 'Shared');
    const workload = new TerraformStack(app, 'Workload');
    const registry = abacRegistry(shared);

    // WHEN
    const grant = registry.grantPull(identityIn(workload), { repositories: ['aci-helloworld'] });

    // THEN the role assignment lives in the grantee's stack, with no depends_on, after the registry's stack
    expect(TerraformStack.of(grant.roleAssignment)).toBe(workload);
    const json = JSON.parse(Testing.synth(workload));
    const [assignment] = Object.values<any>(json.resource.azurerm_role_assignment);
    expect(assignment.depends_on).toBeUndefined();
    expect(workload.dependencies).toContain(shared);
    expect((app as App).manifest.stacks).toBeDefined();
  });

  test('the RegistryPull helpers limit an app\'s pull to repositories on an ABAC registry, sharing the grant', () => {
    const stack = newStack();
    const registry = abacRegistry(stack);
    const identity = identityIn(stack);

    registry.grantPull(identity, { repositories: ['aci-helloworld'] });
    RegistryPull.configureContainerApp(containerApp(stack), registry, { identity, repositories: ['team-a/'] });
    RegistryPull.configureContainerGroup(containerGroup(stack), registry, identity, { repositories: ['team-a/'] });

    const all = assignments(stack);
    expect(all).toHaveLength(1);
    expect(all[0].condition).toContain(`${NAME} StringEqualsIgnoreCase 'aci-helloworld'\n  OR\n  ${NAME} StringStartsWithIgnoreCase 'team-a/'`);
  });

  test('an imported registry declared in ABAC mode takes repositories too', () => {
    const stack = newStack();
    const registry = ContainerRegistry.fromRegistryAttributes(stack, 'Imported', {
      registryId: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/myregistry',
      roleAssignmentMode: ABAC,
    });
    registry.grantPull(identityIn(stack), { repositories: ['aci-helloworld'] });

    expect(assignments(stack)[0].condition).toContain("'aci-helloworld'");
  });

  describe('refusals', () => {
    const FIELD = 'grant(options.repositories)';
    function refusal(act: (registry: ContainerRegistry, identity: UserAssignedIdentity) => void, mode: RoleAssignmentMode = ABAC): string {
      const stack = newStack();
      const registry = abacRegistry(stack, mode);
      try {
        act(registry, identityIn(stack));
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    }

    test('a registry in RBAC mode ignores conditions: refused; the same grant without repositories passes', () => {
      expect(refusal((r, i) => r.grantPull(i, { repositories: ['app'] }), RoleAssignmentMode.REGISTRY_PERMISSIONS)).toBe(
        "ContainerRegistry at 'TestStack/Registry' has invalid input:\n" +
        `  - ${FIELD}: ["app"] limits the grant to repositories, but the registry's role assignment mode is LegacyRegistryPermissions, ` +
        'where Azure ignores repository conditions (the role would cover every repository). Fix: put the registry in ABAC mode and say so: ' +
        'roleAssignmentMode: RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS (new ContainerRegistry, fromLookup or fromRegistryAttributes), ' +
        'or leave repositories out');
      expect(refusal((r, i) => r.grantPull(i), RoleAssignmentMode.REGISTRY_PERMISSIONS)).toBe('no error');
    });

    test.each([RegistryRole.REPOSITORY_CATALOG_LISTER, RegistryRole.ACR_IMAGE_SIGNER])('%s takes no condition: refused; unlimited, it passes', (role) => {
      expect(refusal((r, i) => r.grant(i, role, { repositories: ['app'] }))).toContain(
        `${FIELD}: ["app"] cannot limit ${role.roleName}: Azure allows repository conditions only on the Container Registry Repository ` +
        'Reader, Writer and Contributor roles. Fix: grant RegistryRole.REPOSITORY_READER');
      expect(refusal((r, i) => r.grant(i, role))).toBe('no error');
    });

    test.each([
      ['team-a*', 'is a wildcard, which conditions do not take. Fix: name a prefix of whole components ending in / instead, e.g. "team-a/"'],
      ['team-a/*', 'is a wildcard, which conditions do not take. Fix: name a prefix of whole components ending in / instead, e.g. "team-a/"'],
      ['Team-A', 'must be a repository name (lowercase letters'],
      ['app:v1', 'must be a repository name (lowercase letters'],
    ])('%j is refused; "team-a/" and "team-a/app" pass', (entry, message) => {
      expect(refusal((r, i) => r.grantPull(i, { repositories: ['ok', entry] }))).toContain(`${FIELD}: "${entry}" ${message}`);
      expect(refusal((r, i) => r.grantPull(i, { repositories: ['team-a/', 'team-a/app'] }))).toBe('no error');
    });

    test('a token repository is refused: the condition sorts and matches each name at synth', () => {
      const message = refusal((r, i) => r.grantPull(i, {
        repositories: ['ok', new TerraformVariable(TerraformStack.of(r), 'repo', { type: 'string' }).stringValue],
      }));
      expect(message).toMatch(new RegExp(`${FIELD.replace(/[()]/g, '\\$&')}: "\\$\\{TfToken\\[TOKEN\\.\\d+\\]\\}" is a token \\(known only at apply\\), `
        + 'but the condition names each repository at synth. Fix: pass the repository name as a literal'));
    });

    test('an empty list is refused: it would grant nothing', () => {
      expect(refusal((r, i) => r.grantPull(i, { repositories: [] }))).toContain(
        `${FIELD}: [] is empty, which would grant nothing. Fix: name at least one repository, or leave repositories out to grant every repository`);
    });

    test('limited and unlimited grants of one role to one principal never mix, in either order; separate principals may', () => {
      const message = 'Grant at \'TestStack/Registry\' has invalid input:\n  - grant(options.repositories): ["app"] limits Container Registry Repository Reader ' +
        'for \'TestStack/AcrIdentity\' to some repositories, but another grant of the same role to the same principal covers every ' +
        'repository: one role assignment cannot be both. Fix: pass repositories to every grant of this role to this principal, or to none';
      expect(refusal((r, i) => { r.grantPull(i); r.grantPull(i, { repositories: ['app'] }); })).toBe(message);
      expect(refusal((r, i) => { r.grantPull(i, { repositories: ['app'] }); r.grantPull(i); })).toBe(message);
      expect(refusal((r, i) => { r.grantPull(i, { repositories: ['app'] }); r.grantPush(i); })).toBe('no error');
    });
  });
});
