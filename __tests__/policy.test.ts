import { gzipSync } from 'zlib';
import { ContainerRegistry as AzurermContainerRegistry, ContainerRegistryConfig } from '@cdktf/provider-azurerm/lib/container-registry';
import { LinuxVirtualMachine, LinuxVirtualMachineConfig } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { NetworkInterface, NetworkInterfaceConfig } from '@cdktf/provider-azurerm/lib/network-interface';
import { NetworkInterfaceSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/network-interface-security-group-association';
import { NetworkSecurityGroup, NetworkSecurityGroupSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule, NetworkSecurityRuleConfig } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { PrivateEndpoint, PrivateEndpointConfig } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { AnnotationMetadataEntryType, Aspects, Fn, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError } from '../lib/errors';
import { AzureSecurityChecks, AzureSecurityChecksProps, RuleLevel } from '../lib/policy';
import { ContainerRegistry, RegistrySku } from '../lib/registry';

const RG = { resourceGroupName: 'myResourceGroup', location: 'eastus' };
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEz0Bq7ZKoZDAXQ0+FJvbm1hbXBsZUtleUZvclRlc3RzMDEy azureuser@example';

interface Annotation {
  readonly level: string;
  readonly path: string;
  readonly message: string;
}

/** Builds a stack, runs the checks at synth, and returns the annotations and the checks. */
function synthWithChecks(build: (stack: TerraformStack) => void, props?: AzureSecurityChecksProps) {
  const stack = new TerraformStack(Testing.app(), 'stack');
  build(stack);
  const checks = new AzureSecurityChecks(props);
  Aspects.of(stack).add(checks);
  const synthesized = JSON.parse(Testing.synth(stack));
  return { stack, checks, synthesized, annotations: annotationsOf(stack) };
}

function annotationsOf(stack: TerraformStack): Annotation[] {
  return stack.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => (Object.values(AnnotationMetadataEntryType) as string[]).includes(m.type))
    .map((m) => ({ level: m.type, path: c.node.path, message: m.data as string })));
}

function withRule(annotations: Annotation[], ruleId: string): Annotation[] {
  return annotations.filter((a) => a.message.startsWith(`[${ruleId}] `));
}

// Raw provider resources, compliant unless the test says otherwise.
function registry(scope: Construct, id: string, config: Partial<ContainerRegistryConfig> = {}) {
  return new AzurermContainerRegistry(scope, id, { ...RG, name: 'myregistry01', sku: 'Premium', publicNetworkAccessEnabled: false, ...config });
}

const SUBNET_ID = '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s';
const ZONE_ID = '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io';

function privateEndpoint(scope: Construct, registryId: string, config: Partial<PrivateEndpointConfig> = {}) {
  return new PrivateEndpoint(scope, 'Endpoint', {
    ...RG, name: 'registry-pe', subnetId: SUBNET_ID,
    privateServiceConnection: { name: 'registry-pe', privateConnectionResourceId: registryId, isManualConnection: false, subresourceNames: ['registry'] },
    privateDnsZoneGroup: { name: 'default', privateDnsZoneIds: [ZONE_ID] },
    ...config,
  });
}

function network(scope: Construct) {
  const nsg = new NetworkSecurityGroup(scope, 'Nsg', { ...RG, name: 'nsg' });
  const subnet = new Subnet(scope, 'Subnet', {
    name: 'default', resourceGroupName: RG.resourceGroupName, virtualNetworkName: 'vnet', addressPrefixes: ['10.0.0.0/24'],
  });
  new SubnetNetworkSecurityGroupAssociation(scope, 'SubnetNsg', { subnetId: subnet.id, networkSecurityGroupId: nsg.id });
  return { nsg, subnet };
}

function nic(scope: Construct, id: string, subnetId: string, config: Partial<NetworkInterfaceConfig> = {}) {
  return new NetworkInterface(scope, id, {
    ...RG, name: id, ipConfiguration: [{ name: 'ipconfig1', subnetId, privateIpAddressAllocation: 'Dynamic' }], ...config,
  });
}

function linuxVm(scope: Construct, id: string, config: Partial<LinuxVirtualMachineConfig> = {}) {
  const { subnet } = network(scope);
  const networkInterface = nic(scope, `${id}Nic`, subnet.id);
  return new LinuxVirtualMachine(scope, id, {
    ...RG,
    name: id,
    size: 'Standard_B1s',
    adminUsername: 'azureuser',
    adminSshKey: [{ username: 'azureuser', publicKey: SSH_KEY }],
    allowExtensionOperations: false,
    networkInterfaceIds: [networkInterface.id],
    osDisk: { caching: 'ReadWrite', storageAccountType: 'Standard_LRS' },
    sourceImageReference: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
    ...config,
  });
}

const SSH_RULE: NetworkSecurityGroupSecurityRule = {
  name: 'AllowSsh', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp',
  sourcePortRange: '*', destinationPortRange: '22', sourceAddressPrefix: '203.0.113.0/24', destinationAddressPrefix: '*',
};

function nsgWithRule(scope: Construct, rule: Partial<NetworkSecurityGroupSecurityRule>) {
  return nsgWithRules(scope, [rule]);
}

function nsgWithRules(scope: Construct, rules: Array<Partial<NetworkSecurityGroupSecurityRule>>) {
  return new NetworkSecurityGroup(scope, 'OpenNsg', { ...RG, name: 'open-nsg', securityRule: rules.map((rule) => ({ ...SSH_RULE, ...rule })) });
}

/** A Deny from everyone for SSH, after the Allow rules: what closes the gap AllowVnetInBound leaves. */
const DENY_ALL_SSH = (rule: Partial<NetworkSecurityGroupSecurityRule>): NetworkSecurityGroupSecurityRule => ({
  ...SSH_RULE, name: 'DenySsh', priority: 4096, access: 'Deny', sourceAddressPrefix: '*', ...rule,
});

function standaloneRule(scope: Construct, rule: Partial<NetworkSecurityRuleConfig>) {
  return new NetworkSecurityRule(scope, 'Rule', {
    ...SSH_RULE, resourceGroupName: RG.resourceGroupName, networkSecurityGroupName: 'nsg', ...rule,
  } as NetworkSecurityRuleConfig);
}

const base64 = (text: string) => Buffer.from(text).toString('base64');

const CLEAN_CLOUD_CONFIG = `#cloud-config
ssh_pwauth: false
users:
  - name: azureuser
    lock_passwd: true
    ssh_authorized_keys: [${SSH_KEY}]
runcmd:
  - TOKEN=$(az acr login --name myregistry01 --expose-token --query accessToken -o tsv)
  - echo "$TOKEN" | docker login myregistry01.azurecr.io -u 00000000-0000-0000-0000-000000000000 --password-stdin
`;

interface RuleCase {
  readonly ruleId: string;
  readonly level: RuleLevel;
  readonly bad: Array<[string, (stack: TerraformStack) => void]>;
  readonly good: Array<[string, (stack: TerraformStack) => void]>;
}

const CASES: RuleCase[] = [
  {
    ruleId: 'AZ-ACR-001', level: RuleLevel.ERROR,
    bad: [['admin_enabled = true', (s) => registry(s, 'Acr', { adminEnabled: true })]],
    good: [['admin_enabled = false', (s) => registry(s, 'Acr', { adminEnabled: false })], ['admin_enabled unset', (s) => registry(s, 'Acr')]],
  },
  {
    ruleId: 'AZ-ACR-002', level: RuleLevel.ERROR,
    bad: [['anonymous_pull_enabled = true', (s) => registry(s, 'Acr', { anonymousPullEnabled: true })]],
    good: [['anonymous_pull_enabled = false', (s) => registry(s, 'Acr', { anonymousPullEnabled: false })]],
  },
  {
    ruleId: 'AZ-ACR-003', level: RuleLevel.WARNING,
    bad: [
      ['Premium, public access by default', (s) => registry(s, 'Acr', { publicNetworkAccessEnabled: undefined })],
      ['Premium, network_rule_set allowing by default', (s) => registry(s, 'Acr', {
        publicNetworkAccessEnabled: true, networkRuleSet: [{ defaultAction: 'Allow' }],
      })],
      ['Basic, public by necessity', (s) => registry(s, 'Acr', { sku: 'Basic', publicNetworkAccessEnabled: undefined })],
      ['Premium with a private endpoint, public access still on', (s) => {
        privateEndpoint(s, registry(s, 'Acr', { publicNetworkAccessEnabled: true }).id);
      }],
    ],
    good: [
      ['Premium, public access off', (s) => registry(s, 'Acr', { publicNetworkAccessEnabled: false })],
      ['Premium, network_rule_set denying by default', (s) => registry(s, 'Acr', {
        publicNetworkAccessEnabled: undefined, networkRuleSet: [{ defaultAction: 'Deny', ipRule: [{ action: 'Allow', ipRange: '203.0.113.0/24' }] }],
      })],
      ['public access known only at apply', (s) => registry(s, 'Acr', {
        publicNetworkAccessEnabled: new TerraformVariable(s, 'publicAccess', { type: 'bool' }).booleanValue,
      })],
    ],
  },
  {
    ruleId: 'AZ-VM-001', level: RuleLevel.ERROR,
    bad: [
      ['password authentication on', (s) => linuxVm(s, 'Vm', { disablePasswordAuthentication: false, adminPassword: 'P@ssw0rd1234!' })],
      ['no admin_ssh_key', (s) => linuxVm(s, 'Vm', { adminSshKey: undefined })],
    ],
    good: [['an SSH key, password authentication off', (s) => linuxVm(s, 'Vm', { disablePasswordAuthentication: true })]],
  },
  {
    ruleId: 'AZ-VM-002', level: RuleLevel.WARNING,
    bad: [
      ['allow_extension_operations unset (provider default true)', (s) => linuxVm(s, 'Vm', { allowExtensionOperations: undefined })],
      ['allow_extension_operations = true', (s) => linuxVm(s, 'Vm', { allowExtensionOperations: true })],
    ],
    good: [['allow_extension_operations = false', (s) => linuxVm(s, 'Vm', { allowExtensionOperations: false })]],
  },
  {
    ruleId: 'AZ-VM-003', level: RuleLevel.ERROR,
    bad: [
      ['password= in base64 custom_data', (s) => linuxVm(s, 'Vm', { customData: base64('#!/bin/bash\nexport DB_PASSWORD=SomeSortOfPassword\n') })],
      ['a PEM private key', (s) => linuxVm(s, 'Vm', { customData: base64('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n') })],
      ['a storage connection string', (s) => linuxVm(s, 'Vm', {
        customData: base64('AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=x;AccountKey=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=;"'),
      })],
      ['client_secret in gzip+base64 user_data', (s) => linuxVm(s, 'Vm', {
        userData: gzipSync(Buffer.from('{"client_secret": "Zx8Q~abcdefghijklmnop"}')).toString('base64'),
      })],
      ['a literal part of token-valued custom_data', (s) => {
        const vmName = new TerraformVariable(s, 'vmName', { type: 'string' });
        linuxVm(s, 'Vm', { customData: Fn.base64encode(`#!/bin/bash\nhostnamectl set-hostname ${vmName.stringValue}\nexport API_KEY=abcd1234efgh5678\n`) });
      }],
      ['a base64 write_files entry inside cloud-config', (s) => linuxVm(s, 'Vm', {
        customData: base64(`#cloud-config\nwrite_files:\n  - path: /etc/app.env\n    encoding: b64\n    content: ${base64('ADMIN_PASSWORD=correct-horse-battery-staple\n')}\n`),
      })],
    ],
    good: [
      ['cloud-config with keys, lock_passwd and a token read at run time', (s) => linuxVm(s, 'Vm', { customData: base64(CLEAN_CLOUD_CONFIG) })],
      ['token-valued custom_data without secrets', (s) => {
        const vmName = new TerraformVariable(s, 'vmName', { type: 'string' });
        linuxVm(s, 'Vm', { customData: Fn.base64encode(`#!/bin/bash\nhostnamectl set-hostname ${vmName.stringValue}\n`) });
      }],
    ],
  },
  {
    ruleId: 'AZ-NSG-001', level: RuleLevel.ERROR,
    bad: [
      ['inline rule from "*"', (s) => nsgWithRule(s, { sourceAddressPrefix: '*' })],
      ['inline rule from "Internet" in source_address_prefixes', (s) => nsgWithRule(s, {
        sourceAddressPrefix: undefined, sourceAddressPrefixes: ['10.0.0.0/8', 'Internet'],
      })],
      ['standalone rule from 0.0.0.0/0 on ports 20-30', (s) => standaloneRule(s, {
        sourceAddressPrefix: '0.0.0.0/0', destinationPortRange: undefined, destinationPortRanges: ['443', '20-30'],
      })],
      ['standalone rule from "Any"', (s) => standaloneRule(s, { sourceAddressPrefix: 'Any' })],
      ['standalone rule from 0.0.0.0', (s) => standaloneRule(s, { sourceAddressPrefix: '0.0.0.0' })],
    ],
    good: [
      ['from a known CIDR', (s) => nsgWithRule(s, {})],
      ['a Deny rule', (s) => nsgWithRule(s, { sourceAddressPrefix: '*', access: 'Deny' })],
      ['an outbound rule', (s) => standaloneRule(s, { sourceAddressPrefix: '*', direction: 'Outbound' })],
      ['UDP on port 22', (s) => standaloneRule(s, { sourceAddressPrefix: '*', protocol: 'Udp' })],
      ['from the internet on another port', (s) => standaloneRule(s, { sourceAddressPrefix: '*', destinationPortRange: '443' })],
    ],
  },
  {
    ruleId: 'AZ-NSG-002', level: RuleLevel.ERROR,
    bad: [
      ['inline RDP from ::/0', (s) => nsgWithRule(s, { sourceAddressPrefix: '::/0', destinationPortRange: '3389' })],
      ['standalone RDP over UDP from "Internet"', (s) => standaloneRule(s, { sourceAddressPrefix: 'Internet', protocol: 'Udp', destinationPortRange: '3389' })],
    ],
    good: [['RDP from the virtual network', (s) => nsgWithRule(s, { sourceAddressPrefix: 'VirtualNetwork', destinationPortRange: '3389' })]],
  },
  {
    ruleId: 'AZ-NSG-003', level: RuleLevel.ERROR,
    bad: [
      ['every port ("*") from "*"', (s) => nsgWithRule(s, { sourceAddressPrefix: '*', destinationPortRange: '*', protocol: '*' })],
      ['0-65535 from a /0 prefix', (s) => standaloneRule(s, { sourceAddressPrefix: '10.0.0.0/0', destinationPortRange: '0-65535' })],
    ],
    good: [
      ['every port from a known CIDR', (s) => nsgWithRule(s, { destinationPortRange: '*' })],
      ['ICMP from the internet', (s) => standaloneRule(s, { sourceAddressPrefix: '*', protocol: 'Icmp', destinationPortRange: '*' })],
    ],
  },
  {
    ruleId: 'AZ-NSG-004', level: RuleLevel.WARNING,
    bad: [
      ['inline HTTPS (443) from "*"', (s) => nsgWithRule(s, { sourceAddressPrefix: '*', destinationPortRange: '443' })],
      ['standalone range 8000-8080 from "Internet" in source_address_prefixes', (s) => standaloneRule(s, {
        sourceAddressPrefix: undefined, sourceAddressPrefixes: ['203.0.113.0/24', 'Internet'], destinationPortRange: '8000-8080',
      })],
      ['UDP on port 22 from ::/0, which is not SSH', (s) => standaloneRule(s, { sourceAddressPrefix: '::/0', protocol: 'Udp' })],
      ['ICMP from the internet', (s) => standaloneRule(s, { sourceAddressPrefix: '*', protocol: 'Icmp', destinationPortRange: '*' })],
    ],
    good: [
      ['HTTPS from a known CIDR', (s) => nsgWithRule(s, { destinationPortRange: '443' })],
      ['HTTPS from "*" denied', (s) => nsgWithRule(s, { sourceAddressPrefix: '*', destinationPortRange: '443', access: 'Deny' })],
      ['SSH from "*", which AZ-NSG-001 reports', (s) => nsgWithRule(s, { sourceAddressPrefix: '*' })],
      ['RDP from "*", which AZ-NSG-002 reports', (s) => nsgWithRule(s, { sourceAddressPrefix: '*', destinationPortRange: '3389' })],
      ['every port from "*", which AZ-NSG-003 reports', (s) => nsgWithRule(s, { sourceAddressPrefix: '*', destinationPortRange: '*' })],
      ['HTTPS and SSH in one rule from "*", which AZ-NSG-001 reports', (s) => standaloneRule(s, {
        sourceAddressPrefix: '*', destinationPortRange: undefined, destinationPortRanges: ['443', '22'],
      })],
      ['a port known only at apply', (s) => nsgWithRule(s, {
        sourceAddressPrefix: '*', destinationPortRange: new TerraformVariable(s, 'port', { type: 'string' }).stringValue,
      })],
    ],
  },
  {
    ruleId: 'AZ-NSG-005', level: RuleLevel.WARNING,
    bad: [
      ['inline SSH from one range, nothing else', (s) => nsgWithRule(s, {})],
      ['a standalone rule naming its NSG by reference', (s) => standaloneRule(s, { networkSecurityGroupName: new NetworkSecurityGroup(s, 'Nsg', { ...RG, name: 'nsg' }).name })],
      ['a Deny from "*" for another port', (s) => nsgWithRules(s, [{}, DENY_ALL_SSH({ destinationPortRange: '80' })])],
      ['a Deny from "*" for UDP only', (s) => nsgWithRules(s, [{}, DENY_ALL_SSH({ protocol: 'Udp' })])],
      ['a Deny from "Internet" only, which leaves the network in', (s) => nsgWithRules(s, [{}, DENY_ALL_SSH({ sourceAddressPrefix: 'Internet' })])],
      ['a Deny for ports 20-21 and 23-30, not 22', (s) => nsgWithRules(s, [{ destinationPortRange: '20-30' }, DENY_ALL_SSH({
        destinationPortRange: undefined, destinationPortRanges: ['20-21', '23-30'],
      })])],
      ['a Deny from "*" for SSH in another NSG', (s) => {
        nsgWithRule(s, {});
        standaloneRule(s, { ...DENY_ALL_SSH({}), networkSecurityGroupName: 'other-nsg' });
      }],
    ],
    good: [
      ['an inline Deny from "*" for port 22', (s) => nsgWithRules(s, [{}, DENY_ALL_SSH({})])],
      ['a standalone Deny from "VirtualNetwork" for every port, naming the NSG by reference', (s) => {
        const nsg = nsgWithRule(s, {});
        standaloneRule(s, { ...DENY_ALL_SSH({ sourceAddressPrefix: 'VirtualNetwork', protocol: '*', destinationPortRange: '*' }), networkSecurityGroupName: nsg.name });
      }],
      ['a standalone Allow and a standalone Deny naming the NSG by the same name', (s) => {
        standaloneRule(s, {});
        new NetworkSecurityRule(s, 'Deny', { ...DENY_ALL_SSH({}), resourceGroupName: RG.resourceGroupName, networkSecurityGroupName: 'nsg' } as NetworkSecurityRuleConfig);
      }],
      ['the virtual network admitted to port 22 on purpose', (s) => nsgWithRules(s, [{}, { name: 'AllowVnetSsh', priority: 110, sourceAddressPrefix: 'VirtualNetwork' }])],
      ['a rule from "VirtualNetwork" itself', (s) => nsgWithRule(s, { sourceAddressPrefix: 'VirtualNetwork' })],
      ['a rule from "*", which AZ-NSG-001 reports', (s) => nsgWithRule(s, { sourceAddressPrefix: '*' })],
      ['an outbound rule', (s) => nsgWithRule(s, { direction: 'Outbound' })],
      ['a Deny whose port is known only at apply', (s) => nsgWithRules(s, [{}, DENY_ALL_SSH({
        destinationPortRange: new TerraformVariable(s, 'port', { type: 'string' }).stringValue,
      })])],
    ],
  },
  {
    ruleId: 'AZ-NET-001', level: RuleLevel.ERROR,
    bad: [
      ['a NIC in a subnet made elsewhere, no NSG association', (s) => nic(s, 'Nic', '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s')],
      ['a NIC in a stack subnet without NSG', (s) => {
        const subnet = new Subnet(s, 'Bare', { name: 'bare', resourceGroupName: 'rg', virtualNetworkName: 'v', addressPrefixes: ['10.1.0.0/24'] });
        nic(s, 'Nic', subnet.id);
      }],
    ],
    good: [
      ['a NIC with its own NSG', (s) => {
        const nsg = new NetworkSecurityGroup(s, 'NicNsgGroup', { ...RG, name: 'nic-nsg' });
        const networkInterface = nic(s, 'Nic', '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s');
        new NetworkInterfaceSecurityGroupAssociation(s, 'NicNsg', { networkInterfaceId: networkInterface.id, networkSecurityGroupId: nsg.id });
      }],
      ['a NIC in a subnet with an NSG', (s) => nic(s, 'Nic', network(s).subnet.id)],
    ],
  },
  {
    ruleId: 'AZ-NET-002', level: RuleLevel.ERROR,
    bad: [
      ['a subnet without NSG association', (s) => new Subnet(s, 'Bare', { name: 'bare', resourceGroupName: 'rg', virtualNetworkName: 'v', addressPrefixes: ['10.1.0.0/24'] })],
      ['an inline virtual network subnet without security_group', (s) => new VirtualNetwork(s, 'Vnet', {
        ...RG, name: 'vnet', addressSpace: ['10.0.0.0/16'], subnet: [{ name: 'apps', addressPrefixes: ['10.0.1.0/24'] }],
      })],
    ],
    good: [
      ['a subnet with an NSG association', (s) => network(s)],
      ['GatewaySubnet, where Azure does not support NSGs', (s) => new Subnet(s, 'Gateway', {
        name: 'GatewaySubnet', resourceGroupName: 'rg', virtualNetworkName: 'v', addressPrefixes: ['10.1.255.0/27'],
      })],
      ['an inline subnet with a security_group', (s) => new VirtualNetwork(s, 'Vnet', {
        ...RG, name: 'vnet', addressSpace: ['10.0.0.0/16'],
        subnet: [{ name: 'apps', addressPrefixes: ['10.0.1.0/24'], securityGroup: new NetworkSecurityGroup(s, 'AppsNsg', { ...RG, name: 'apps' }).id }],
      })],
    ],
  },
  {
    ruleId: 'AZ-NET-003', level: RuleLevel.WARNING,
    bad: [['a NIC with a public IP', (s) => nic(s, 'Nic', network(s).subnet.id, {
      ipConfiguration: [{ name: 'ipconfig1', subnetId: 'x', privateIpAddressAllocation: 'Dynamic', publicIpAddressId: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip' }],
    })]],
    good: [['a NIC with a private address only', (s) => nic(s, 'Nic', network(s).subnet.id)]],
  },
  {
    ruleId: 'AZ-NET-004', level: RuleLevel.ERROR,
    bad: [
      ['ip_forwarding_enabled = true', (s) => nic(s, 'Nic', network(s).subnet.id, { ipForwardingEnabled: true })],
      ['ip_forwarding_enabled set by an escape-hatch override', (s) => nic(s, 'Nic', network(s).subnet.id).addOverride('ip_forwarding_enabled', true)],
    ],
    good: [['ip_forwarding_enabled = false', (s) => nic(s, 'Nic', network(s).subnet.id, { ipForwardingEnabled: false })]],
  },
  {
    ruleId: 'AZ-NET-005', level: RuleLevel.WARNING,
    bad: [
      ['no private_dns_zone_group', (s) => privateEndpoint(s, registry(s, 'Acr').id, { privateDnsZoneGroup: undefined })],
      ['a zone group without zones', (s) => privateEndpoint(s, registry(s, 'Acr').id, { privateDnsZoneGroup: { name: 'default', privateDnsZoneIds: [] } })],
    ],
    good: [
      ['a zone group with the registry zone', (s) => privateEndpoint(s, registry(s, 'Acr').id)],
      ['a zone group whose zones are known only at apply', (s) => privateEndpoint(s, registry(s, 'Acr').id, {
        privateDnsZoneGroup: { name: 'default', privateDnsZoneIds: new TerraformVariable(s, 'zones', { type: 'list(string)' }).listValue },
      })],
      ['ContainerRegistry.addPrivateEndpoint', (s) => {
        new ContainerRegistry(s, 'Registry', { name: 'myregistry01', ...RG, sku: RegistrySku.PREMIUM, publicNetworkAccessEnabled: false })
          .addPrivateEndpoint('Private', { subnetId: SUBNET_ID });
      }],
    ],
  },
];

describe('AzureSecurityChecks rules', () => {
  test('every documented rule has test cases', () => {
    expect(CASES.map((c) => c.ruleId).sort()).toEqual(AzureSecurityChecks.RULES.map((r) => r.id).sort());
  });

  describe.each(CASES)('$ruleId', ({ ruleId, level, bad, good }) => {
    test.each(bad)('fires on %s', (_, build) => {
      // WHEN
      const { annotations } = synthWithChecks(build);
      // THEN
      const findings = withRule(annotations, ruleId);
      expect(findings.length).toBeGreaterThanOrEqual(1);
      for (const finding of findings) {
        expect(finding.level).toBe(level === RuleLevel.ERROR ? AnnotationMetadataEntryType.ERROR : AnnotationMetadataEntryType.WARN);
      }
    });

    test.each(good)('stays quiet on %s', (_, build) => {
      // WHEN
      const { annotations } = synthWithChecks(build);
      // THEN
      expect(withRule(annotations, ruleId)).toEqual([]);
    });
  });
});

describe('AzureSecurityChecks findings', () => {
  test('a finding names the rule ID, the Terraform address and the fix, on the resource', () => {
    // GIVEN
    let acr!: AzurermContainerRegistry;
    // WHEN
    const { annotations, synthesized, checks } = synthWithChecks((s) => {
      acr = registry(s, 'Acr', { adminEnabled: true });
    });
    // THEN
    const address = `azurerm_container_registry.${acr.friendlyUniqueId}`;
    expect(synthesized.resource.azurerm_container_registry[acr.friendlyUniqueId]).toBeDefined();
    expect(annotations).toEqual([{
      level: AnnotationMetadataEntryType.ERROR,
      path: acr.node.path,
      message: expect.stringMatching(new RegExp(`^\\[AZ-ACR-001\\] ${address.replace('.', '\\.')}: admin_enabled is true: .*\\. Fix: set admin_enabled = false`)),
    }]);
    expect(checks.findings).toEqual([expect.objectContaining({
      ruleId: 'AZ-ACR-001', level: RuleLevel.ERROR, address, constructPath: acr.node.path, suppressionReason: undefined,
    })]);
  });

  test('an NSG finding names the offending inline rule, and one rule open on all ports is reported once', () => {
    // WHEN
    const { annotations } = synthWithChecks((s) => {
      nsgWithRule(s, { name: 'AllowAll', sourceAddressPrefix: '*', destinationPortRange: '*' });
    });
    // THEN
    expect(annotations.map((a) => a.message)).toEqual([
      expect.stringMatching(/^\[AZ-NSG-003\] azurerm_network_security_group\.\w+: security rule "AllowAll" allows inbound Tcp to port \* from "\*"/),
    ]);
  });

  test('each NSG rule open to the internet is one finding, under the most specific rule ID', () => {
    // GIVEN an NSG with SSH and HTTPS open to everyone
    const { annotations } = synthWithChecks((s) => {
      new NetworkSecurityGroup(s, 'WebNsg', {
        ...RG, name: 'web-nsg', securityRule: [
          { ...SSH_RULE, sourceAddressPrefix: '*' },
          { ...SSH_RULE, name: 'AllowHttps', priority: 110, sourceAddressPrefix: '*', destinationPortRange: '443' },
        ],
      });
    });
    // THEN SSH is an error (AZ-NSG-001), HTTPS a warning (AZ-NSG-004), neither reported twice
    expect(annotations.map(({ level, message }) => ({ level, message }))).toEqual([
      { level: AnnotationMetadataEntryType.ERROR, message: expect.stringMatching(/^\[AZ-NSG-001\] .*: security rule "AllowSsh" allows inbound Tcp to port 22 from "\*": SSH is reachable/) },
      { level: AnnotationMetadataEntryType.WARN, message: expect.stringMatching(/^\[AZ-NSG-004\] .*: security rule "AllowHttps" allows inbound Tcp to port 443 from "\*": .*\. Fix: allow only known source prefixes/) },
    ]);
  });

  test('a custom data finding says what kind of secret it is without repeating it', () => {
    // WHEN
    const { annotations } = synthWithChecks((s) => {
      linuxVm(s, 'Vm', { customData: base64('export DB_PASSWORD=SomeSortOfPassword\n') });
    });
    // THEN
    const [finding] = withRule(annotations, 'AZ-VM-003');
    expect(finding.message).toContain('custom_data contains a credential assignment (DB_PASSWORD)');
    expect(finding.message).not.toContain('SomeSortOfPassword');
  });

  test('values known only at apply time are not judged', () => {
    // WHEN
    const { annotations } = synthWithChecks((s) => {
      const adminEnabled = new TerraformVariable(s, 'adminEnabled', { type: 'bool' });
      const source = new TerraformVariable(s, 'sshSource', { type: 'string' });
      registry(s, 'Acr', { adminEnabled: adminEnabled.booleanValue });
      nsgWithRule(s, { sourceAddressPrefix: source.stringValue });
    });
    // THEN
    expect(annotations).toEqual([]);
  });

  test('the library\'s ContainerRegistry with defaults is public, a warning only', () => {
    // WHEN
    const { annotations } = synthWithChecks((s) => {
      new ContainerRegistry(s, 'Registry', { name: 'myContainerRegistry', ...RG });
    });
    // THEN
    expect(annotations).toEqual([{
      level: AnnotationMetadataEntryType.WARN,
      path: 'stack/Registry/Default',
      message: expect.stringMatching(/^\[AZ-ACR-003\] azurerm_container_registry\.Registry: public_network_access_enabled is true .*\(a Basic registry cannot restrict networks: only Premium can\)\. Fix: make the registry Premium/),
    }]);
  });

  test('a private ContainerRegistry with its private endpoint is clean', () => {
    // WHEN
    const { annotations, checks } = synthWithChecks((s) => {
      new ContainerRegistry(s, 'Registry', { name: 'myContainerRegistry', ...RG, sku: RegistrySku.PREMIUM, publicNetworkAccessEnabled: false })
        .addPrivateEndpoint('Private', { subnetId: SUBNET_ID });
    });
    // THEN
    expect(annotations).toEqual([]);
    expect(checks.findings).toEqual([]);
  });

  test('a registry with a private endpoint but public access on names the endpoint', () => {
    // WHEN
    const { annotations } = synthWithChecks((s) => {
      new ContainerRegistry(s, 'Registry', { name: 'myContainerRegistry', ...RG, sku: RegistrySku.PREMIUM })
        .addPrivateEndpoint('Private', { subnetId: SUBNET_ID });
    });
    // THEN
    expect(annotations.map((a) => a.message)).toEqual([expect.stringMatching(
      /^\[AZ-ACR-003\] azurerm_container_registry\.Registry: public_network_access_enabled is true and no network_rule_set denies by default: azurerm_private_endpoint\.Registry_Private_\w+ reaches the registry privately, yet its public endpoint still accepts connections from the whole internet\. Fix: /,
    )]);
  });

  test('an NSG rule widened by AllowVnetInBound is named with its port and sources', () => {
    // WHEN
    const { annotations } = synthWithChecks((s) => {
      nsgWithRule(s, { sourceAddressPrefix: undefined, sourceAddressPrefixes: ['203.0.113.0/24', '198.51.100.7'], destinationPortRanges: ['22', '8080-8090'], destinationPortRange: undefined });
    });
    // THEN one finding per port range left open to the network
    expect(annotations.map(({ level, message }) => ({ level, message }))).toEqual(['22', '8080-8090'].map((port) => ({
      level: AnnotationMetadataEntryType.WARN,
      message: expect.stringMatching(new RegExp(`^\\[AZ-NSG-005\\] azurerm_network_security_group\\.OpenNsg: security rule "AllowSsh" admits Tcp port ${port} `
        + `from 203\\.0\\.113\\.0/24, 198\\.51\\.100\\.7, but no rule from "\\*" or "VirtualNetwork" covers port ${port}, so Azure's default rule `
        + 'AllowVnetInBound \\(priority 65000\\) admits every host of the virtual network and of peered networks to it too\\. Fix: add an inbound Deny rule')),
    })));
  });

  test('a private endpoint without a zone group is named with the consequence', () => {
    // WHEN
    const { annotations } = synthWithChecks((s) => privateEndpoint(s, registry(s, 'Acr').id, { privateDnsZoneGroup: undefined }));
    // THEN
    expect(annotations.map((a) => a.message)).toEqual([expect.stringMatching(
      /^\[AZ-NET-005\] azurerm_private_endpoint\.Endpoint: has no private_dns_zone_group with a zone: .* resolve the service's name to its public address\. Fix: add a private_dns_zone_group/,
    )]);
  });

  test('the library\'s constructs are checked through their provider resources', () => {
    // WHEN
    const { annotations } = synthWithChecks((s) => {
      new ContainerRegistry(s, 'Registry', {
        name: 'myContainerRegistry', ...RG, sku: RegistrySku.PREMIUM, publicNetworkAccessEnabled: false, adminUserEnabled: true,
      });
    });
    // THEN
    expect(annotations).toEqual([expect.objectContaining({ path: 'stack/Registry/Default', message: expect.stringMatching(/^\[AZ-ACR-001\] /) })]);
  });

  test('a second synth does not repeat annotations', () => {
    // GIVEN
    const { stack } = synthWithChecks((s) => registry(s, 'Acr', { adminEnabled: true }));
    // WHEN
    Testing.synth(stack);
    // THEN
    expect(annotationsOf(stack)).toHaveLength(1);
  });

  test('error findings fail synthesis, warnings do not', () => {
    // GIVEN
    const stackWith = (id: string, config: Partial<ContainerRegistryConfig>) => {
      const stack = new TerraformStack(Testing.app(), id);
      new AzurermProvider(stack, 'azurerm', { features: [{}] });
      registry(stack, 'Acr', config);
      Aspects.of(stack).add(new AzureSecurityChecks());
      return stack;
    };
    const failing = stackWith('failing', { adminEnabled: true });
    const passing = stackWith('passing', { publicNetworkAccessEnabled: true });
    // THEN
    expect(() => Testing.fullSynth(failing)).toThrow(/\[AZ-ACR-001\] azurerm_container_registry\./);
    expect(() => Testing.fullSynth(passing)).not.toThrow();
    expect(withRule(annotationsOf(passing), 'AZ-ACR-003')).toHaveLength(1);
  });
});

describe('AzureSecurityChecks suppressions', () => {
  const REASON = 'IP forwarding: this NIC belongs to the hub firewall appliance';

  test('a suppression with a reason silences the rule on the resource and records the reason', () => {
    // WHEN
    const { annotations, checks } = synthWithChecks((s) => {
      const networkInterface = nic(s, 'Nic', network(s).subnet.id, { ipForwardingEnabled: true });
      AzureSecurityChecks.suppress(networkInterface, [{ id: 'AZ-NET-004', reason: REASON }]);
    });
    // THEN
    expect(annotations).toEqual([]);
    expect(checks.findings).toEqual([expect.objectContaining({ ruleId: 'AZ-NET-004', suppressionReason: REASON })]);
  });

  test('a suppression on a parent construct covers the provider resources inside it', () => {
    // WHEN
    const { annotations } = synthWithChecks((s) => {
      const appliance = new Construct(s, 'Appliance');
      nic(appliance, 'Nic', network(appliance).subnet.id, { ipForwardingEnabled: true });
      AzureSecurityChecks.suppress(appliance, [{ id: 'AZ-NET-004', reason: REASON }]);
    });
    // THEN
    expect(annotations).toEqual([]);
  });

  test('a suppression covers only the rule it names', () => {
    // WHEN
    const { annotations } = synthWithChecks((s) => {
      const acr = registry(s, 'Acr', { sku: 'Standard', adminEnabled: true, anonymousPullEnabled: true });
      AzureSecurityChecks.suppress(acr, [{ id: 'AZ-ACR-002', reason: 'Public base images, deliberately pullable by anyone' }]);
    });
    // THEN
    expect(annotations.map((a) => a.message)).toEqual([expect.stringMatching(/^\[AZ-ACR-001\] /)]);
  });

  test('a suppression on one resource does not cover its neighbour', () => {
    // WHEN
    const { annotations } = synthWithChecks((s) => {
      AzureSecurityChecks.suppress(registry(s, 'Suppressed', { adminEnabled: true }), [{ id: 'AZ-ACR-001', reason: 'Legacy CI needs the admin user until Q3' }]);
      registry(s, 'Other', { adminEnabled: true });
    });
    // THEN
    expect(annotations).toEqual([expect.objectContaining({ path: 'stack/Other' })]);
  });

  test('reportSuppressed reports each suppressed finding with its reason as info', () => {
    // WHEN
    const { annotations } = synthWithChecks((s) => {
      AzureSecurityChecks.suppress(registry(s, 'Acr', { adminEnabled: true }), [{ id: 'AZ-ACR-001', reason: 'Legacy CI needs the admin user until Q3' }]);
    }, { reportSuppressed: true });
    // THEN
    expect(annotations).toEqual([{
      level: AnnotationMetadataEntryType.INFO,
      path: 'stack/Acr',
      message: expect.stringMatching(/^\[AZ-ACR-001\] azurerm_container_registry\.\w+: suppressed: Legacy CI needs the admin user until Q3$/),
    }]);
  });

  test.each([
    ['without a reason', { id: 'AZ-NET-003', reason: undefined as unknown as string }, /suppressions\[0\]\.reason: \(not set\) is missing: a suppression needs a written reason of at least 10 characters/],
    ['with a blank reason', { id: 'AZ-NET-003', reason: '   ' }, /suppressions\[0\]\.reason: "   " is missing/],
    ['with a reason under 10 characters', { id: 'AZ-NET-003', reason: 'needed' }, /suppressions\[0\]\.reason: "needed" is too short/],
    ['for an unknown rule', { id: 'AZ-NET-999', reason: 'A reason that is long enough' }, /suppressions\[0\]\.id: "AZ-NET-999" is not a rule of AzureSecurityChecks\. Fix: use one of AZ-ACR-001, /],
  ])('a suppression %s is refused, naming the construct', (_, suppression, message) => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'stack');
    const networkInterface = nic(stack, 'Nic', 'subnet-id');
    // WHEN
    const suppress = () => AzureSecurityChecks.suppress(networkInterface, [suppression]);
    // THEN
    expect(suppress).toThrow(ValidationError);
    expect(suppress).toThrow(/^AzureSecurityChecks\.suppress at 'stack\/Nic' has invalid input/);
    expect(suppress).toThrow(message);
    expect(AzureSecurityChecks.suppressionsOf(networkInterface)).toEqual([]);
  });

  test('suppressionsOf lists the suppressions added on a construct', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'stack');
    // WHEN
    AzureSecurityChecks.suppress(stack, [{ id: 'AZ-NET-003', reason: '  The jump host is reached over its public IP  ' }]);
    // THEN
    expect(AzureSecurityChecks.suppressionsOf(stack)).toEqual([{ id: 'AZ-NET-003', reason: 'The jump host is reached over its public IP' }]);
  });
});
