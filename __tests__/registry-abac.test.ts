import { TerraformStack, Testing } from 'cdktf';
import { ContainerRegistry, RegistryRole, RoleAssignmentMode, UserAssignedIdentity } from '../lib';
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
    }]);
    expect(mode.triggers_replace).toEqual({ registryId });
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
