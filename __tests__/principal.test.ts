import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { DockerVirtualMachine } from '../lib/docker-vm';
import { IGrantable, IResourceWithIdentity, Principal, PrincipalType } from '../lib/principal';
import { ContainerRegistry, IContainerRegistry, RoleAssignmentMode } from '../lib/registry';
import { RegistryRole } from '../lib/registry-role';
import { crossStackReference, synthApp, twoStacks } from './support/app-synth';
import { newRegistry, newStack, vmProps } from './support/docker-vm-stacks';
import { validationErrorOf } from './support/errors';
import {
  aksCluster, containerApp, containerGroup, functionApp, Identity, linuxVm, linuxVmss, webApp,
} from './support/raw-resources';
import { expectValidTerraform } from './support/schema';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON */
const OBJECT_ID = '11111111-2222-3333-4444-555555555555';
const ACR_PULL = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
const ACR_PUSH = '8311e382-0749-4cb8-b61a-304f252e45ec';
const REPOSITORY_READER = 'b93aa761-3e63-49ed-ac28-beffa264f7ac';
const REGISTRY_ID = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/myResourceGroup/providers/Microsoft.ContainerRegistry/registries/myContainerRegistry';

function synth(stack: TerraformStack): { text: string; json: any } {
  const text = Testing.synth(stack, true);
  return { text, json: JSON.parse(text) };
}

function roleAssignments(stack: TerraformStack): any[] {
  return Object.values(synth(stack).json.resource?.azurerm_role_assignment ?? {});
}

function onlyRoleAssignment(stack: TerraformStack): any {
  const all = roleAssignments(stack);
  expect(all).toHaveLength(1);
  return all[0];
}

describe('Principal.fromPrincipalId', () => {
  test.each([
    ['an Entra ID group', PrincipalType.GROUP, 'Group'],
    ['a user', PrincipalType.USER, 'User'],
  ])('grants to %s by object ID, with its principal type and no service principal check', (_name, type, rendered) => {
    // GIVEN
    const stack = newStack();
    const registry = newRegistry(stack);
    // WHEN
    const grant = registry.grantPush(Principal.fromPrincipalId(stack, 'CiGroup', OBJECT_ID, type));
    // THEN
    expect(registry.node.findChild('AcrPush-CiGroup')).toBe(grant.roleAssignment);
    const assignment = onlyRoleAssignment(stack);
    expect(assignment).toMatchObject({ principal_id: OBJECT_ID, principal_type: rendered });
    expect(assignment).not.toHaveProperty('skip_service_principal_aad_check');
    expectValidTerraform(synth(stack).text);
  });

  test('defaults to a service principal, skipping Entra ID\'s replication check', () => {
    const stack = newStack();
    const principal = Principal.fromPrincipalId(stack, 'Pipeline', OBJECT_ID);
    newRegistry(stack).grantPull(principal);
    expect(principal.principalType).toBe(PrincipalType.SERVICE_PRINCIPAL);
    expect(onlyRoleAssignment(stack)).toMatchObject({ principal_type: 'ServicePrincipal', skip_service_principal_aad_check: true });
  });

  test('takes a token principal ID (known only at apply): the construct id names the role assignment', () => {
    // GIVEN another resource's attribute, e.g. a kubelet identity read from an existing cluster
    const stack = newStack();
    const objectId = new TerraformVariable(stack, 'kubelet_object_id', { type: 'string' }).stringValue;
    const registry = newRegistry(stack);
    // WHEN
    const grant = registry.grantPull(Principal.fromPrincipalId(stack, 'Kubelet', objectId));
    // THEN
    expect(registry.node.findChild('AcrPull-Kubelet')).toBe(grant.roleAssignment);
    const assignment = onlyRoleAssignment(stack);
    expect(assignment.principal_id).toBe('${var.kubelet_object_id}');
    expect(assignment.name).toBe(`\${uuidv5("url", "\${azurerm_container_registry.Registry.id}|\${var.kubelet_object_id}|${ACR_PULL}")}`);
  });

  test('refuses a literal that is not an object ID; a GUID in capitals and a token pass', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const error = validationErrorOf(() => Principal.fromPrincipalId(stack, 'Ops', 'ops-team', PrincipalType.GROUP));
    // THEN
    expect(error.message).toBe("Principal.fromPrincipalId at 'Test/Ops' has invalid input:\n"
      + '  - principalId: "ops-team" is not a GUID. Fix: pass the principal\'s object ID (not its name or client ID): '
      + 'az ad user|group|sp show --id <name> --query id');
    // AND the refused call left no construct behind: the id is free for the corrected call
    expect(stack.node.tryFindChild('Ops')).toBeUndefined();
    expect(Principal.fromPrincipalId(stack, 'Ops', OBJECT_ID, PrincipalType.GROUP).node.path).toBe('Test/Ops');
    const token = new TerraformVariable(stack, 'id', { type: 'string' }).stringValue;
    expect(() => Principal.fromPrincipalId(stack, 'Upper', OBJECT_ID.toUpperCase(), PrincipalType.GROUP)).not.toThrow();
    expect(() => Principal.fromPrincipalId(stack, 'Token', token)).not.toThrow();
  });

  test('refuses a principal type Azure does not know, and a missing ID (plain JavaScript)', () => {
    const stack = newStack();
    const error = validationErrorOf(() => Principal.fromPrincipalId(stack, 'Ops', undefined as unknown as string, 'Team' as PrincipalType));
    expect(error.message).toBe("Principal.fromPrincipalId at 'Test/Ops' has invalid input:\n"
      + "  - principalId: (not set) is required but was not given. Fix: pass the principal's object ID: az ad user|group|sp show --id <name> --query id\n"
      + '  - principalType: "Team" is not one of ServicePrincipal, User, Group. '
      + 'Fix: use PrincipalType.SERVICE_PRINCIPAL, PrincipalType.GROUP or PrincipalType.USER');
    expect(stack.node.tryFindChild('Ops')).toBeUndefined();
  });

  test('names a refused principal by the path it would have had, below a nested scope or an App, its id escaped', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'Test');
    const team = new Construct(stack, 'Team');
    expect(validationErrorOf(() => Principal.fromPrincipalId(team, 'Ops/Admins', 'ops-team')).constructPath).toBe('Test/Team/Ops--Admins');
    expect(validationErrorOf(() => Principal.fromPrincipalId(app, 'Ops', 'ops-team')).constructPath).toBe('Ops');
    // the path a created principal gets, for the same ids
    expect(Principal.fromPrincipalId(team, 'Ops/Admins', OBJECT_ID).node.path).toBe('Test/Team/Ops--Admins');
    expect(Principal.fromPrincipalId(app, 'Ops', OBJECT_ID).node.path).toBe('Ops');
  });
});

describe('Principal.ofSystemAssignedIdentity', () => {
  const resources: Array<[string, string, (scope: Construct, identity: Identity) => IResourceWithIdentity]> = [
    ['LinuxVirtualMachine', 'azurerm_linux_virtual_machine', (s, i) => linuxVm(s, 'Resource', i)],
    ['LinuxVirtualMachineScaleSet', 'azurerm_linux_virtual_machine_scale_set', (s, i) => linuxVmss(s, 'Resource', i)],
    ['LinuxWebApp', 'azurerm_linux_web_app', (s, i) => webApp(s, 'Resource', i)],
    ['LinuxFunctionApp', 'azurerm_linux_function_app', (s, i) => functionApp(s, 'Resource', i)],
    ['ContainerApp', 'azurerm_container_app', (s, i) => containerApp(s, 'Resource', i)],
    ['ContainerGroup', 'azurerm_container_group', (s, i) => containerGroup(s, 'Resource', i)],
  ];

  test.each(resources)('grants to a raw %s\'s identity[0].principal_id', (_name, type, make) => {
    // GIVEN a raw provider resource with a system-assigned identity
    const stack = newStack();
    const registry = newRegistry(stack);
    const resource = make(stack, { type: 'SystemAssigned' });
    // WHEN
    const grant = registry.grantPull(Principal.ofSystemAssignedIdentity(resource));
    // THEN
    expect(registry.node.findChild('AcrPull-Resource-SystemAssignedIdentity')).toBe(grant.roleAssignment);
    expect(onlyRoleAssignment(stack)).toMatchObject({
      principal_id: `\${${type}.Resource.identity[0].principal_id}`,
      principal_type: 'ServicePrincipal',
      skip_service_principal_aad_check: true,
      scope: '${azurerm_container_registry.Registry.id}',
    });
    expectValidTerraform(synth(stack).text);
  });

  test('a raw VM with both identity kinds: its system-assigned one', () => {
    const stack = newStack();
    const vm = linuxVm(stack, 'GoldenVm', { type: 'SystemAssigned, UserAssigned', identityIds: [`${REGISTRY_ID}/x`] });
    newRegistry(stack).grantPull(Principal.ofSystemAssignedIdentity(vm));
    expect(onlyRoleAssignment(stack).principal_id).toBe('${azurerm_linux_virtual_machine.GoldenVm.identity[0].principal_id}');
  });

  test('returns the same principal for the same resource: its child "SystemAssignedIdentity"', () => {
    const stack = newStack();
    const vm = linuxVm(stack);
    const first = Principal.ofSystemAssignedIdentity(vm);
    expect(Principal.ofSystemAssignedIdentity(vm)).toBe(first);
    expect(vm.node.findChild('SystemAssignedIdentity')).toBe(first);
  });

  test('refuses a resource without an identity block; an identity type known only at apply passes', () => {
    // GIVEN
    const stack = newStack();
    const vm = linuxVm(stack, 'GoldenVm', null);
    // WHEN
    const error = validationErrorOf(() => Principal.ofSystemAssignedIdentity(vm));
    // THEN
    expect(error.message).toBe("Principal.ofSystemAssignedIdentity at 'Test/GoldenVm' has invalid input:\n"
      + '  - identity: (not set) leaves the resource without a system-assigned identity. Fix: add identity { type = "SystemAssigned" } '
      + 'to the resource before this call (both identity kinds: "SystemAssigned, UserAssigned"), or grant to its user-assigned identity');
    const type = new TerraformVariable(stack, 'identity_type', { type: 'string' }).stringValue;
    expect(() => Principal.ofSystemAssignedIdentity(linuxVm(stack, 'Other', { type }))).not.toThrow();
  });

  test('refuses a resource whose identity is only user-assigned', () => {
    const stack = newStack();
    const vm = linuxVm(stack, 'GoldenVm', { type: 'UserAssigned', identityIds: [`${REGISTRY_ID}/x`] });
    const error = validationErrorOf(() => Principal.ofSystemAssignedIdentity(vm));
    expect(error.message).toBe("Principal.ofSystemAssignedIdentity at 'Test/GoldenVm' has invalid input:\n"
      + '  - identity.type: "UserAssigned" has no SystemAssigned identity. Fix: add identity { type = "SystemAssigned" } '
      + 'to the resource before this call (both identity kinds: "SystemAssigned, UserAssigned"), or grant to its user-assigned identity');
  });

  test('refuses when the resource already has a child with the principal\'s id', () => {
    const stack = newStack();
    const vm = linuxVm(stack);
    new Construct(vm, 'SystemAssignedIdentity');
    const error = validationErrorOf(() => Principal.ofSystemAssignedIdentity(vm));
    expect(error.message).toBe("Principal at 'Test/GoldenVm' has invalid input:\n"
      + '  - SystemAssignedIdentity: "Test/GoldenVm/SystemAssignedIdentity" is the construct id of the principal, '
      + 'but a Construct already has it. Fix: give that Construct another id');
  });
});

describe('AKS: Principal.ofKubeletIdentity', () => {
  test('grants to kubelet_identity[0].object_id, what az aks update --attach-acr grants', () => {
    // GIVEN a raw AKS cluster
    const stack = newStack();
    const registry = newRegistry(stack);
    const aks = aksCluster(stack);
    // WHEN
    const grant = registry.grantPull(Principal.ofKubeletIdentity(aks));
    // THEN
    expect(registry.node.findChild('AcrPull-Aks-KubeletIdentity')).toBe(grant.roleAssignment);
    expect(onlyRoleAssignment(stack)).toEqual(expect.objectContaining({
      principal_id: '${azurerm_kubernetes_cluster.Aks.kubelet_identity[0].object_id}',
      principal_type: 'ServicePrincipal',
      skip_service_principal_aad_check: true,
      role_definition_id: expect.stringMatching(new RegExp(`/roleDefinitions/${ACR_PULL}$`)),
    }));
    expect(JSON.stringify(roleAssignments(stack))).not.toMatch(/identity\[0\]\.principal_id/);
    expectValidTerraform(synth(stack).text);
  });

  test('returns the same principal for the same cluster: its child "KubeletIdentity"', () => {
    const stack = newStack();
    const aks = aksCluster(stack);
    const kubelet = Principal.ofKubeletIdentity(aks);
    expect(Principal.ofKubeletIdentity(aks)).toBe(kubelet);
    expect(aks.node.findChild('KubeletIdentity')).toBe(kubelet);
  });

  test('works with a user-assigned control-plane identity', () => {
    const stack = newStack();
    const aks = aksCluster(stack, 'Aks', { type: 'UserAssigned', identityIds: [`${REGISTRY_ID}/x`] });
    newRegistry(stack).grantPull(Principal.ofKubeletIdentity(aks));
    expect(onlyRoleAssignment(stack).principal_id).toBe('${azurerm_kubernetes_cluster.Aks.kubelet_identity[0].object_id}');
  });

  test('refuses a cluster with a service principal, which has no kubelet identity', () => {
    const stack = newStack();
    const aks = aksCluster(stack, 'Aks', null);
    const error = validationErrorOf(() => Principal.ofKubeletIdentity(aks));
    expect(error.message).toBe("Principal.ofKubeletIdentity at 'Test/Aks' has invalid input:\n"
      + '  - identity: (not set) means a cluster with a service_principal, which has no kubelet identity: its nodes pull with '
      + 'the service principal. Fix: give the cluster identity { type = "SystemAssigned" }, or grant to the service principal: '
      + "Principal.fromPrincipalId(this, 'AksServicePrincipal', <its object ID>)");
  });

  describe('pull roles on the control-plane identity (Azure/AKS#1428) are refused', () => {
    const CONTROL_PLANE = "Grant at 'Test/Registry' has invalid input:\n"
      + '  - grantee: "Test/Aks" is the AKS cluster\'s control-plane identity, which never pulls images: the nodes pull with '
      + 'the kubelet identity, so ROLE on the control-plane identity lets no pod pull (Azure/AKS#1428). '
      + 'Fix: grant to the kubelet identity, as az aks update --attach-acr does: registry.grantPull(Principal.ofKubeletIdentity(cluster))';

    test.each<[string, string, (r: IContainerRegistry, g: IGrantable) => unknown, RoleAssignmentMode?]>([
      ['grantPull', 'AcrPull', (r, g) => r.grantPull(g), undefined],
      ['AcrPull by GUID', 'AcrPull', (r, g) => r.grant(g, RegistryRole.fromRoleDefinitionId(ACR_PULL)), undefined],
      ['grantPull on an ABAC-mode registry', 'Container Registry Repository Reader', (r, g) => r.grantPull(g), RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS],
    ])('%s', (_name, role, grantFn, mode) => {
      // GIVEN
      const stack = newStack();
      const registry = ContainerRegistry.fromRegistryAttributes(stack, 'Registry', { registryId: REGISTRY_ID, roleAssignmentMode: mode });
      const controlPlane = Principal.ofSystemAssignedIdentity(aksCluster(stack));
      // WHEN
      const error = validationErrorOf(() => grantFn(registry, controlPlane));
      // THEN
      expect(error.message).toBe(CONTROL_PLANE.replace('ROLE', role));
      expect(roleAssignments(stack)).toEqual([]);
    });

    test('other roles on the control-plane identity, and pull on the kubelet identity, pass', () => {
      // GIVEN
      const stack = newStack();
      const registry = newRegistry(stack);
      const aks = aksCluster(stack);
      // WHEN
      registry.grantPush(Principal.ofSystemAssignedIdentity(aks));
      registry.grantPull(Principal.ofKubeletIdentity(aks));
      // THEN
      const byRole = Object.fromEntries(roleAssignments(stack).map((a) => [a.role_definition_id.split('/').pop(), a.principal_id]));
      expect(byRole).toEqual({
        [ACR_PUSH]: '${azurerm_kubernetes_cluster.Aks.identity[0].principal_id}',
        [ACR_PULL]: '${azurerm_kubernetes_cluster.Aks.kubelet_identity[0].object_id}',
      });
    });

    test('pull on another resource\'s system-assigned identity passes', () => {
      const stack = newStack();
      newRegistry(stack).grantPull(Principal.ofSystemAssignedIdentity(linuxVm(stack)));
      expect(roleAssignments(stack)).toHaveLength(1);
    });
  });
});

describe('principals in another stack than the registry', () => {
  test.each<[string, (stack: TerraformStack) => IGrantable, string, string]>([
    ['an AKS kubelet identity', (s) => Principal.ofKubeletIdentity(aksCluster(s)),
      'Aks/KubeletIdentity', '${azurerm_kubernetes_cluster.Aks.kubelet_identity[0].object_id}'],
    ['a raw VM\'s system-assigned identity', (s) => Principal.ofSystemAssignedIdentity(linuxVm(s)),
      'GoldenVm/SystemAssignedIdentity', '${azurerm_linux_virtual_machine.GoldenVm.identity[0].principal_id}'],
    ['a principal by token object ID', (s) => Principal.fromPrincipalId(s, 'Ops', new TerraformVariable(s, 'ops', { type: 'string' }).stringValue),
      'Ops', '${var.ops}'],
  ])('%s: the role assignment is the principal\'s child in its own stack', (_name, makePrincipal, principalPath, principalId) => {
    // GIVEN a registry in a shared stack and the principal in a workload stack
    const { app, shared, workload } = twoStacks();
    const registry = newRegistry(shared);
    const principal = makePrincipal(workload);
    // WHEN
    const grant = registry.grantPull(principal);
    const { json, dependencies } = synthApp(app);
    // THEN
    expect(grant.roleAssignment.node.path).toBe(`Workload/${principalPath}/AcrPull-Shared-Registry`);
    expect(json.Shared.resource.azurerm_role_assignment).toBeUndefined();
    const [assignment] = Object.values<any>(json.Workload.resource.azurerm_role_assignment);
    expect(assignment.principal_id).toBe(principalId);
    expect(assignment.scope).toBe(crossStackReference(json, 'Shared', '${azurerm_container_registry.Registry.id}'));
    expect(dependencies).toEqual({ Shared: [], Workload: ['Shared'] });
  });
});

describe('one role assignment per (role, principal, registry), whatever path grants it', () => {
  test('a DockerVirtualMachine, its grant principal and the principal of its resource: one assignment, the VM\'s address', () => {
    // GIVEN
    const stack = newStack();
    const registry = newRegistry(stack);
    const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps({ systemAssignedIdentity: true }));
    // WHEN
    const grants = [
      registry.grantPull(vm),
      registry.grantPull(vm.grantPrincipal),
      registry.grantPull(Principal.ofSystemAssignedIdentity(vm.resource)),
      registry.grant({ grantPrincipal: vm.grantPrincipal }, RegistryRole.ACR_PULL),
    ];
    // THEN the Terraform address stays the one the VM's grant always had
    expect(new Set(grants).size).toBe(1);
    expect(registry.node.findChild('AcrPull-DockerVm')).toBe(grants[0].roleAssignment);
    expect(onlyRoleAssignment(stack).principal_id).toBe('${azurerm_linux_virtual_machine.DockerVm.identity[0].principal_id}');
  });

  test('a kubelet identity granted through its principal, a plain grantee and the ABAC-neutral role: one assignment', () => {
    const stack = newStack();
    const registry = newRegistry(stack);
    const aks = aksCluster(stack);
    const grants = [
      registry.grantPull(Principal.ofKubeletIdentity(aks)),
      registry.grantPull({ grantPrincipal: Principal.ofKubeletIdentity(aks) }),
      registry.grant(Principal.ofKubeletIdentity(aks), RegistryRole.fromRoleName('AcrPull')),
    ];
    expect(new Set(grants).size).toBe(1);
    expect(roleAssignments(stack)).toHaveLength(1);
  });

  test('one object ID under two constructs: one assignment', () => {
    const stack = newStack();
    const registry = newRegistry(stack);
    const first = registry.grantPull(Principal.fromPrincipalId(stack, 'Ops', OBJECT_ID, PrincipalType.GROUP));
    const second = registry.grantPull(Principal.fromPrincipalId(stack, 'Operators', OBJECT_ID.toUpperCase(), PrincipalType.GROUP));
    expect(second).toBe(first);
    expect(roleAssignments(stack)).toHaveLength(1);
  });

  test('different roles, principals or registries: one assignment each', () => {
    const stack = newStack();
    const registry = newRegistry(stack);
    const other = newRegistry(stack, 'Other');
    const aks = aksCluster(stack);
    registry.grantPull(Principal.ofKubeletIdentity(aks));
    registry.grant(Principal.ofKubeletIdentity(aks), RegistryRole.REPOSITORY_READER);
    other.grantPull(Principal.ofKubeletIdentity(aks));
    registry.grantPull(Principal.ofSystemAssignedIdentity(linuxVm(stack)));
    const keys = roleAssignments(stack).map((a) => `${a.scope}|${a.principal_id}|${a.role_definition_id.split('/').pop()}`);
    expect(keys.sort()).toEqual([
      `\${azurerm_container_registry.Other.id}|\${azurerm_kubernetes_cluster.Aks.kubelet_identity[0].object_id}|${ACR_PULL}`,
      `\${azurerm_container_registry.Registry.id}|\${azurerm_kubernetes_cluster.Aks.kubelet_identity[0].object_id}|${ACR_PULL}`,
      `\${azurerm_container_registry.Registry.id}|\${azurerm_kubernetes_cluster.Aks.kubelet_identity[0].object_id}|${REPOSITORY_READER}`,
      `\${azurerm_container_registry.Registry.id}|\${azurerm_linux_virtual_machine.GoldenVm.identity[0].principal_id}|${ACR_PULL}`,
    ].sort());
  });
});
