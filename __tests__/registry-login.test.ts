import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { parse } from 'yaml';
import { ContainerRegistryLogin, RegistryLoginMethod, VmBootstrap } from '../lib/registry-login';
import { bootstrapCloudConfig, bootstrapInstallScript, loginPayload } from '../lib/private/vm-scripts';
import { UserAssignedIdentity } from '../lib/identity';
import { importedRegistry, newIdentity, newRegistry, newStack, RG, SUBSCRIPTION, systemAssignedVm } from './support/docker-vm-stacks';
import { validationErrorOf } from './support/errors';
import { FakeBin, itWithTool, writeExecutable } from './support/fake-bin';
import { FakeAzure } from './support/fake-bin/fake-azure';
import { fakeMachine } from './support/fake-bin/machine';
import { localText, loginLines, settingsOf, textOf, userDataParts } from './support/login-data';
import {
  base64, cloudInitSchema, processWithCloudInit, rawFlexibleScaleSet, rawScaleSet, rawVm,
} from './support/login-targets';
import { expectValidTerraform } from './support/schema';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON */

const VM = 'azurerm_linux_virtual_machine';
const VMSS = 'azurerm_linux_virtual_machine_scale_set';
const FLEX = 'azurerm_orchestrated_virtual_machine_scale_set';
const MERGE_TYPE = 'list(append)+dict(no_replace,recurse_list)+str()';

/** A team's cloud-config: a package, a command, and a user besides the default (admin) user. */
const THEIR_CLOUD_CONFIG = [
  '#cloud-config',
  'package_update: false',
  'packages: [jq]',
  'write_files:',
  '  - path: /etc/motd',
  '    content: "golden image\\n"',
  'runcmd:',
  '  - [touch, /var/lib/golden-ready]',
  'users:',
  '  - default',
  '  - name: deploy',
  '    groups: [adm]',
  '',
].join('\n');

/** The custom data of a VM with THEIR_CLOUD_CONFIG and the bootstrap of format 1, combined (decoded). */
const COMBINED_WITH_THEIR_CLOUD_CONFIG_SHA256 = 'db9636628f7615730af98460091c8914240f0e1e79885cef4e0db2fa96472d49';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function synth(stack: TerraformStack): any {
  const text = Testing.synth(stack, true);
  expectValidTerraform(text);
  return JSON.parse(text);
}

function body(json: any, type: string): any {
  const blocks = Object.values(json.resource[type] ?? {});
  expect(blocks).toHaveLength(1);
  return blocks[0];
}

describe('ContainerRegistryLogin on a raw LinuxVirtualMachine', () => {
  test('a VM without custom data gets the stack\'s bootstrap local and user data with its logins; both identities pull', () => {
    // GIVEN a golden VM with a system-assigned and a user-assigned identity
    const stack = newStack();
    const identity = newIdentity(stack);
    const vm = rawVm(stack, { identity: { type: 'SystemAssigned, UserAssigned', identityIds: [identity.identityId] } });
    const registry = newRegistry(stack);
    // WHEN
    const login = new ContainerRegistryLogin(stack, 'Login', { target: vm });
    login.pullImages(registry, ['aci-helloworld:v1']);
    login.pullImages(importedRegistry(stack), ['tools/busybox:1.36'], { identity });
    // THEN
    const json = synth(stack);
    const machine = body(json, VM);
    expect(machine.custom_data).toBe('${local.AcrLoginBootstrap}');
    expect(localText(json, 'AcrLoginBootstrap')).toBe(bootstrapCloudConfig());
    const userData = textOf(json, machine.user_data);
    expect(settingsOf(userData)).toEqual(expect.objectContaining({ admin_user: 'azureuser', login_method: 'token-exchange' }));
    expect(loginLines(userData)).toEqual([
      'login registry=${azurerm_container_registry.Registry.name} login_server=${azurerm_container_registry.Registry.login_server} ' +
        'client_id= images=aci-helloworld:v1',
      'login registry=otherRegistry login_server=otherregistry.azurecr.io ' +
        'client_id=${azurerm_user_assigned_identity.AcrIdentity.client_id} images=tools/busybox:1.36',
    ]);
    expect(userDataParts(userData).payload).toBe(loginPayload());
  });

  itWithTool('cloud-init', 'a VM with its own cloud-config keeps it: cloud-init merges the two, appending the bootstrap to their lists', () => {
    // GIVEN a golden VM with its own cloud-config
    const stack = newStack();
    const vm = rawVm(stack, { customData: base64(THEIR_CLOUD_CONFIG), identity: { type: 'SystemAssigned' } });
    // WHEN
    new ContainerRegistryLogin(stack, 'Login', { target: vm }).pullImages(importedRegistry(stack), ['aci-helloworld:v1']);
    // THEN the custom data is a multipart archive that cloud-init reads as their part, then the bootstrap's
    const json = synth(stack);
    const customData = textOf(json, body(json, VM).custom_data);
    const { parts, cloud_config: merged } = processWithCloudInit(customData);
    expect(parts.map((p) => [p.content_type, p.filename, p.merge_type])).toEqual([
      ['text/cloud-config', 'custom-data', null],
      ['text/cloud-config', 'acr-login-bootstrap', MERGE_TYPE],
    ]);
    expect(parts[0].payload).toBe(THEIR_CLOUD_CONFIG);
    expect(parts[1].payload).toBe(bootstrapCloudConfig());
    // AND the merged config keeps all of theirs and appends all of the bootstrap's
    const bootstrap = parse(bootstrapCloudConfig(), { version: '1.1' });
    const theirs = parse(THEIR_CLOUD_CONFIG, { version: '1.1' });
    expect(merged.write_files).toEqual([...theirs.write_files, ...bootstrap.write_files]);
    expect(merged.runcmd).toEqual([...theirs.runcmd, ...bootstrap.runcmd]);
    expect(merged.packages).toEqual([...theirs.packages, ...(bootstrap.packages ?? [])]);
    expect(merged.users).toEqual(theirs.users);
    expect(merged.package_update).toBe(false);
    // AND cloud-init's schema accepts the merged config
    const schema = cloudInitSchema(merged);
    expect(schema.output).not.toMatch(/invalid|error/i);
    expect(schema.ok).toBe(true);
  });

  itWithTool('cloud-init', 'a shell script, a gzipped cloud-config and a MIME archive of their own are kept as cloud-init reads them', () => {
    const script = '#!/bin/bash\necho "golden %s ${HOME}"\n';
    const mime = Buffer.from(textOf({ locals: {} }, base64(script)), 'utf8'); // a script part of their own archive below
    const cases: Array<[string, string, string[]]> = [
      ['script', base64(script), ['text/x-shellscript', 'text/cloud-config']],
      ['gzip', gzipSync(Buffer.from(THEIR_CLOUD_CONFIG)).toString('base64'), ['text/cloud-config', 'text/cloud-config']],
      ['mime', base64([
        'Content-Type: multipart/mixed; boundary="theirs"', 'MIME-Version: 1.0', '',
        '--theirs', 'Content-Type: text/x-shellscript', '', mime.toString('utf8'),
        '--theirs', 'Content-Type: text/cloud-config', '', THEIR_CLOUD_CONFIG, '--theirs--', '',
      ].join('\n')), ['text/x-shellscript', 'text/cloud-config', 'text/cloud-config']],
    ];
    for (const [, customData, types] of cases) {
      const stack = newStack();
      const vm = rawVm(stack, { customData, identity: { type: 'SystemAssigned' } });
      new ContainerRegistryLogin(stack, 'Login', { target: vm });
      const json = synth(stack);
      const { parts, cloud_config: merged } = processWithCloudInit(textOf(json, body(json, VM).custom_data));
      expect(parts.map((p) => p.content_type)).toEqual(types);
      expect(parts[parts.length - 1].payload).toBe(bootstrapCloudConfig());
      if (types[0] === 'text/x-shellscript') expect(parts[0].payload).toBe(script);
      expect(merged.runcmd).toEqual(expect.arrayContaining(parse(bootstrapCloudConfig(), { version: '1.1' }).runcmd));
    }
  });

  test('the combined custom data is pinned: the same text in every process and on every machine (a change would replace the VM)', () => {
    // The archive is cached by content within a process, so comparing two synths here proves nothing: its hash is
    // pinned instead. It changes only with the bootstrap (pinned in vm-scripts.test.ts) or the MIME builder
    // (nodemailer, pinned exactly in package.json); either change replaces every VM with a cloud-init of its own.
    const stack = newStack();
    const vm = rawVm(stack, { customData: base64(THEIR_CLOUD_CONFIG), identity: { type: 'SystemAssigned' } });
    new ContainerRegistryLogin(stack, 'Login', { target: vm });
    const json = synth(stack);
    const customData = textOf(json, body(json, VM).custom_data);
    expect(customData).toMatch(/^Content-Type: multipart\/mixed; boundary="=-[0-9a-f]{24}-Part_2"\r\nMIME-Version: 1.0\r\n/);
    expect(createHash('sha256').update(customData).digest('hex')).toBe(COMBINED_WITH_THEIR_CLOUD_CONFIG_SHA256);
  });

  test('installBootstrap: false leaves the custom data of a golden image alone and still writes the user data', () => {
    const stack = newStack();
    const vm = rawVm(stack, { customData: base64('#!/bin/bash\necho baked\n'), identity: { type: 'SystemAssigned' } });
    new ContainerRegistryLogin(stack, 'Login', { target: vm, installBootstrap: false }).pullImages(importedRegistry(stack), ['a:1']);
    const json = synth(stack);
    expect(body(json, VM).custom_data).toBe(base64('#!/bin/bash\necho baked\n'));
    expect(loginLines(textOf(json, body(json, VM).user_data))).toHaveLength(1);
    expect(json.locals).not.toHaveProperty('AcrLoginBootstrap');
  });

  test('a token admin user and the login settings are rendered into the user data', () => {
    const stack = newStack();
    const admin = new TerraformVariable(stack, 'admin', { type: 'string' });
    const vm = rawVm(stack, { adminUsername: admin.stringValue, identity: { type: 'SystemAssigned' } });
    new ContainerRegistryLogin(stack, 'Login', { target: vm, loginMethod: RegistryLoginMethod.AZURE_CLI, loginTimeoutSeconds: 900 });
    const json = synth(stack);
    expect(settingsOf(textOf(json, body(json, VM).user_data))).toEqual({
      admin_user: '${var.admin}', login_timeout_seconds: '900', login_method: 'azure-cli',
    });
  });

  test('a login adds no resource; a fleet of VMs shares one bootstrap and one payload local', () => {
    // GIVEN three golden VMs in one stack
    const stack = newStack();
    const registry = importedRegistry(stack);
    for (let i = 0; i < 3; i++) {
      const vm = rawVm(stack, { name: `golden-${i}`, identity: { type: 'SystemAssigned' } }, `Golden${i}`);
      new ContainerRegistryLogin(stack, `Login${i}`, { target: vm }).pullImages(registry, ['aci-helloworld:v1']);
    }
    // THEN
    const json = synth(stack);
    expect(Object.keys(json.resource)).toEqual([VM]);
    expect(Object.keys(json.locals).sort()).toEqual(['AcrLoginBootstrap', 'AcrLoginPayload']);
    const vms = Object.values(json.resource[VM]) as any[];
    expect(new Set(vms.map((v) => v.custom_data))).toEqual(new Set(['${local.AcrLoginBootstrap}']));
    for (const v of vms) expect(v.user_data).toContain('base64decode(local.AcrLoginPayload)');
    expect(localText(json, 'AcrLoginPayload')).toBe(loginPayload());
  });

  test('a target in another stack gets the locals in its own stack', () => {
    const app = Testing.app();
    const stackOf = (id: string) => {
      const stack = new TerraformStack(app, id);
      new AzurermProvider(stack, 'azurerm', { features: [{}] });
      return stack;
    };
    const machines = stackOf('Machines');
    const logins = stackOf('Logins');
    const vm = rawVm(machines, { identity: { type: 'SystemAssigned' } });
    new ContainerRegistryLogin(logins, 'Login', { target: vm });
    const json = JSON.parse(Testing.synth(machines, true));
    expect(body(json, VM).custom_data).toBe('${local.AcrLoginBootstrap}');
    expect(Object.keys(json.locals)).toEqual(['AcrLoginBootstrap', 'AcrLoginPayload']);
  });
});

describe('ContainerRegistryLogin on scale sets', () => {
  itWithTool('cloud-init', 'a Uniform scale set (LinuxVirtualMachineScaleSet) pulls with its system-assigned and a user-assigned identity', () => {
    // GIVEN a scale set with both identity kinds and a cloud-config of its own
    const stack = newStack();
    const identity = newIdentity(stack);
    const vmss = rawScaleSet(stack, {
      identity: { type: 'SystemAssigned, UserAssigned', identityIds: [identity.identityId] }, customData: base64(THEIR_CLOUD_CONFIG),
    });
    const registry = newRegistry(stack);
    // WHEN
    const login = new ContainerRegistryLogin(stack, 'Login', { target: vmss });
    login.pullImages(registry, ['aci-helloworld:v1']);
    login.pullImages(registry, ['tools/busybox:1.36'], { identity });
    // THEN
    const json = synth(stack);
    const scaleSet = body(json, VMSS);
    expect(loginLines(textOf(json, scaleSet.user_data)).map((l) => /client_id=(\S*)/.exec(l)![1]))
      .toEqual(['', '${azurerm_user_assigned_identity.AcrIdentity.client_id}']);
    const { cloud_config: merged } = processWithCloudInit(textOf(json, scaleSet.custom_data));
    expect(cloudInitSchema(merged).ok).toBe(true);
  });

  itWithTool('cloud-init', 'a Flexible scale set (OrchestratedVirtualMachineScaleSet): os_profile.custom_data and user_data_base64, user-assigned', () => {
    // GIVEN a Flexible scale set with a user-assigned identity and a cloud-config of its own
    const stack = newStack();
    const identity = newIdentity(stack);
    const flexible = rawFlexibleScaleSet(stack, { identity: { type: 'UserAssigned', identityIds: [identity.identityId] } });
    flexible.osProfile.customData = base64(THEIR_CLOUD_CONFIG);
    // WHEN
    new ContainerRegistryLogin(stack, 'Login', { target: flexible }).pullImages(newRegistry(stack), ['aci-helloworld:v1'], { identity });
    // THEN
    const json = synth(stack);
    const scaleSet = body(json, FLEX);
    expect(scaleSet.os_profile.linux_configuration.admin_username).toBe('azureuser');
    expect(loginLines(textOf(json, scaleSet.user_data_base64))[0]).toContain('client_id=${azurerm_user_assigned_identity.AcrIdentity.client_id}');
    expect(scaleSet).not.toHaveProperty('user_data');
    const { parts, cloud_config: merged } = processWithCloudInit(textOf(json, scaleSet.os_profile.custom_data));
    expect(parts.map((p) => p.filename)).toEqual(['custom-data', 'acr-login-bootstrap']);
    expect(cloudInitSchema(merged).ok).toBe(true);
  });

  test('a Flexible scale set without custom data references the bootstrap local', () => {
    const stack = newStack();
    const identity = newIdentity(stack);
    const flexible = rawFlexibleScaleSet(stack, { identity: { type: 'UserAssigned', identityIds: [identity.identityId] } });
    new ContainerRegistryLogin(stack, 'Login', { target: flexible }).pullImages(newRegistry(stack), ['a:1'], { identity });
    expect(body(synth(stack), FLEX).os_profile.custom_data).toBe('${local.AcrLoginBootstrap}');
  });
});

describe('the login a scale set gets runs on its instances (real bootstrap and payload, fake IMDS and registry)', () => {
  let azure: FakeAzure | undefined;
  let fakes: FakeBin | undefined;
  afterEach(async () => {
    fakes?.remove();
    await azure?.stop();
  });

  test.each([
    ['a Uniform scale set, system-assigned', false],
    ['a Flexible scale set, user-assigned', true],
  ])('%s: the user data Terraform gives it logs in and pulls as the admin user', async (_, flexible) => {
    // GIVEN the scale set's user data, as Terraform computes it, served by a fake metadata service
    const stack = newStack();
    const identity = UserAssignedIdentity.fromIdentityAttributes(stack, 'Id', {
      identityId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/fleet`,
      principalId: '11111111-1111-1111-1111-111111111111', clientId: '22222222-2222-2222-2222-222222222222',
    });
    const target = flexible
      ? rawFlexibleScaleSet(stack, { identity: { type: 'UserAssigned', identityIds: [identity.identityId] } })
      : rawScaleSet(stack, { identity: { type: 'SystemAssigned' } });
    new ContainerRegistryLogin(stack, 'Login', { target }).pullImages(importedRegistry(stack), ['aci-helloworld:v1'], flexible ? { identity } : {});
    const json = synth(stack);
    const scaleSet = body(json, flexible ? FLEX : VMSS);
    azure = await FakeAzure.start({ userData: textOf(json, flexible ? scaleSet.user_data_base64 : scaleSet.user_data) });
    fakes = fakeMachine();
    const root = mkdtempSync(join(tmpdir(), 'instance-'));
    // WHEN the instance's login service runs the bootstrap the custom data installed
    const bootstrap = join(root, 'acr-bootstrap');
    writeFileSync(bootstrap, parse(bootstrapCloudConfig(), { version: '1.1' }).write_files[0].content, { mode: 0o755 });
    const result = await fakes.runAsync(bootstrap, ['run'], { ACR_BOOTSTRAP_ROOT: root, ...azure.env, ACR_LOGIN_INITIAL_DELAY_SECONDS: '0.02' });
    // THEN it logged in with the identity and pulled
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const tokenRequests = azure.requests.filter((r) => r.host === 'imds' && r.path.includes('/identity/oauth2/token'));
    expect(tokenRequests.map((r) => r.query.client_id)).toEqual([flexible ? '22222222-2222-2222-2222-222222222222' : undefined]);
    expect(fakes.calls().filter((c) => /^docker (login|pull) /.test(c))).toEqual([
      'docker login otherregistry.azurecr.io --username 00000000-0000-0000-0000-000000000000 --password-stdin',
      'docker pull otherregistry.azurecr.io/aci-helloworld:v1',
    ]);
  });
});

describe('ContainerRegistryLogin refuses what would not log in', () => {
  const USER_DATA = 'user_data: "IyEvYmluL2Jhc2gK" is already set on the target, but the login owns the target\'s user data ' +
    '(its registry logins and payload, read on every run). Fix: remove the target\'s user data; keep your cloud-init in its ' +
    'custom data, which the login combines with its own';

  test('a target with user data of its own; without it the login attaches', () => {
    const stack = newStack();
    const error = validationErrorOf(() => new ContainerRegistryLogin(stack, 'Login', { target: rawVm(stack, { userData: 'IyEvYmluL2Jhc2gK' }) }));
    expect(error.message.split('\n')).toEqual(["ContainerRegistryLogin at 'Test/Login' has invalid input:", `  - ${USER_DATA}`]);
    const good = newStack();
    expect(() => new ContainerRegistryLogin(good, 'Login', { target: rawVm(good) })).not.toThrow();
  });

  test('a Flexible scale set with user_data_base64 of its own; without it the login attaches', () => {
    const stack = newStack();
    const target = rawFlexibleScaleSet(stack, { userDataBase64: 'IyEvYmluL2Jhc2gK' });
    const error = validationErrorOf(() => new ContainerRegistryLogin(stack, 'Login', { target }));
    expect(error.message.split('\n')).toEqual(["ContainerRegistryLogin at 'Test/Login' has invalid input:", `  - ${USER_DATA.replace(/^user_data:/, 'user_data_base64:')}`]);
    const good = newStack();
    expect(() => new ContainerRegistryLogin(good, 'Login', { target: rawFlexibleScaleSet(good) })).not.toThrow();
  });

  test('a second login on the same target: one login per target; a login on another target passes', () => {
    // GIVEN a VM with its login
    const stack = newStack();
    const vm = rawVm(stack, { identity: { type: 'SystemAssigned' } });
    new ContainerRegistryLogin(stack, 'Login', { target: vm });
    // WHEN another login is attached to it
    const error = validationErrorOf(() => new ContainerRegistryLogin(stack, 'Again', { target: vm }));
    // THEN it is refused as a second login, not as user data of the target's own
    expect(error.message.split('\n')).toEqual([
      "ContainerRegistryLogin at 'Test/Again' has invalid input:",
      '  - target: "Test/Golden" already has a ContainerRegistryLogin (Test/Login), which owns its user data. ' +
        'Fix: one login per target; call pullImages on the existing one',
    ]);
    // AND a DockerVirtualMachine's own login counts as one
    const { vm: dockerVm } = systemAssignedVm();
    expect(validationErrorOf(() => new ContainerRegistryLogin(dockerVm, 'Another', { target: dockerVm.resource })).message)
      .toContain('already has a ContainerRegistryLogin (Test/DockerVm/Login), which owns its user data. Fix: one login per target; call pullImages on the existing one');
    // AND the neighbour: a login on a second VM of the same stack
    expect(() => new ContainerRegistryLogin(stack, 'Other', { target: rawVm(stack, { name: 'golden-2' }, 'Golden2') })).not.toThrow();
  });

  test('custom data that cloud-init does not run; a cloud-config passes', () => {
    const stack = newStack();
    const error = validationErrorOf(() => new ContainerRegistryLogin(stack, 'Login', { target: rawVm(stack, { customData: base64('hello') }) }));
    expect(error.message.split('\n')).toContain(
      '  - custom_data: "aGVsbG8=" is not user data cloud-init runs (base64 of a text starting with "#cloud-config-archive", ' +
      '"#cloud-config-jsonp", "## template: jinja", "#cloud-boothook", "#include-once", "#part-handler", "#cloud-config", "#include", ' +
      '"#!", or a MIME multipart archive). Fix: give the target cloud-init user data in base64 (e.g. Buffer.from("#cloud-config\\n...")' +
      '.toString("base64")), or remove its custom data');
    const good = newStack();
    expect(() => new ContainerRegistryLogin(good, 'Login', { target: rawVm(good, { customData: base64('#cloud-config\n{}\n') }) })).not.toThrow();
  });

  test('their cloud-init and the bootstrap over Azure\'s 64 KiB of custom data; a smaller one passes', () => {
    // GIVEN cloud-configs with a file of 30 KB and of 45 KB (the bootstrap adds about 8 KB)
    const cloudConfigWith = (bytes: number) => base64(`#cloud-config\nwrite_files:\n  - path: /etc/big\n    content: ${'x'.repeat(bytes)}\n`);
    const stack = newStack();
    const error = validationErrorOf(() => new ContainerRegistryLogin(stack, 'Login', { target: rawVm(stack, { customData: cloudConfigWith(45_000) }) }));
    expect(error.message.split('\n')).toEqual([
      "ContainerRegistryLogin at 'Test/Login' has invalid input:",
      expect.stringMatching(new RegExp('^ {2}- custom_data: 5\\d{4} ' + escapeRegExp('bytes of custom data (the target\'s cloud-init, decompressed, and the ' +
        'bootstrap in one archive), over Azure\'s limit of 49152 bytes (64 KiB in base64). Fix: make your cloud-init smaller (fetch large files ' +
        'at boot, or bake them into the image), or bake the bootstrap into the image and set installBootstrap: false') + '$')),
    ]);
    const good = newStack();
    expect(() => new ContainerRegistryLogin(good, 'Login', { target: rawVm(good, { customData: cloudConfigWith(30_000) }) })).not.toThrow();
  });

  test('custom data that is not base64; its base64 passes', () => {
    const stack = newStack();
    const error = validationErrorOf(() => new ContainerRegistryLogin(stack, 'Login', { target: rawVm(stack, { customData: '#cloud-config' }) }));
    expect(error.message.split('\n')).toEqual([
      "ContainerRegistryLogin at 'Test/Login' has invalid input:",
      '  - custom_data: "#cloud-config" is not user data cloud-init runs (base64 of a text starting with "#cloud-config-archive", ' +
        '"#cloud-config-jsonp", "## template: jinja", "#cloud-boothook", "#include-once", "#part-handler", "#cloud-config", "#include", ' +
        '"#!", or a MIME multipart archive). Fix: give the target cloud-init user data in base64 (e.g. Buffer.from("#cloud-config\\n...")' +
        '.toString("base64")), or remove its custom data',
    ]);
    const good = newStack();
    expect(() => new ContainerRegistryLogin(good, 'Login', { target: rawVm(good, { customData: base64('#cloud-config\n') }) })).not.toThrow();
  });

  test('custom data that is a token; with installBootstrap: false it is left alone', () => {
    const stack = newStack();
    const variable = new TerraformVariable(stack, 'cloud_init', { type: 'string' });
    const error = validationErrorOf(() => new ContainerRegistryLogin(stack, 'Login', { target: rawVm(stack, { customData: variable.stringValue }) }));
    expect(error.message.split('\n')).toContainEqual(expect.stringMatching(new RegExp(
      '^ {2}- custom_data: "\\$\\{TfToken\\[TOKEN\\.\\d+\\]\\}" ' + escapeRegExp('is a token (known only at apply), so the ' +
      'login cannot combine it with the bootstrap at synth. Fix: pass your cloud-init as a literal base64 string, or set installBootstrap: ' +
      'false and bake the bootstrap into the image (VmBootstrap.installScript)') + '$')));
    const good = newStack();
    const goodVariable = new TerraformVariable(good, 'cloud_init', { type: 'string' });
    expect(() => new ContainerRegistryLogin(good, 'Login', { target: rawVm(good, { customData: goodVariable.stringValue }), installBootstrap: false }))
      .not.toThrow();
  });

  test('their cloud-config drops the default user, so the admin user would not exist; with "default" it passes', () => {
    const stack = newStack();
    const target = rawVm(stack, { customData: base64('#cloud-config\nusers:\n  - name: deploy\n') });
    const error = validationErrorOf(() => new ContainerRegistryLogin(stack, 'Login', { target }));
    expect(error.message.split('\n')).toContain(
      '  - adminUsername: "azureuser" is the target\'s admin user, but the target\'s cloud-config lists users without "default", ' +
      'so cloud-init does not create it. Fix: add "default" to the users of your cloud-config');
    const good = newStack();
    expect(() => new ContainerRegistryLogin(good, 'Login', { target: rawVm(good, { customData: base64('#cloud-config\nusers: [default, deploy]\n') }) }))
      .not.toThrow();
  });

  test('an adminUsername that is not a user of the target; a user their cloud-config creates passes', () => {
    const stack = newStack();
    const error = validationErrorOf(() => new ContainerRegistryLogin(stack, 'Login', { target: rawVm(stack), adminUsername: 'deploy' }));
    expect(error.message.split('\n')).toContain(
      '  - adminUsername: "deploy" is neither the target\'s admin_username ("azureuser") nor a user the target\'s cloud-config creates. ' +
      'Fix: leave adminUsername out to use "azureuser", or create the user in the target\'s cloud-config (users: [default, {name: deploy}])');
    const good = newStack();
    const login = new ContainerRegistryLogin(good, 'Login', { target: rawVm(good, { customData: base64(THEIR_CLOUD_CONFIG) }), adminUsername: 'deploy' });
    expect(login.adminUsername).toBe('deploy');
  });

  test('a system-assigned login on a VM without that identity; with it the login passes', () => {
    const stack = newStack();
    const login = new ContainerRegistryLogin(stack, 'Login', { target: rawVm(stack) });
    const error = validationErrorOf(() => login.pullImages(importedRegistry(stack), ['a:1']));
    expect(error.message.split('\n')).toContain(
      '  - pullImages(options.identity): (not set) is not set and the target\'s identity block has no system-assigned identity (type null) ' +
      'to log in with. Fix: give the target identity { type = "SystemAssigned" } (DockerVirtualMachine: systemAssignedIdentity: true), ' +
      'or pass a user-assigned identity attached to it as options.identity');
    const good = newStack();
    const goodLogin = new ContainerRegistryLogin(good, 'Login', { target: rawVm(good, { identity: { type: 'SystemAssigned' } }) });
    expect(() => goodLogin.pullImages(importedRegistry(good), ['a:1'])).not.toThrow();
  });

  test('a Flexible scale set has no system-assigned identity: pullImages needs options.identity', () => {
    const stack = newStack();
    const identity = newIdentity(stack);
    const login = new ContainerRegistryLogin(stack, 'Login', {
      target: rawFlexibleScaleSet(stack, { identity: { type: 'UserAssigned', identityIds: [identity.identityId] } }),
    });
    const error = validationErrorOf(() => login.pullImages(importedRegistry(stack), ['a:1']));
    expect(error.message.split('\n')).toContain(
      '  - pullImages(options.identity): (not set) is not set, but a Flexible scale set (azurerm_orchestrated_virtual_machine_scale_set) ' +
      'has no system-assigned identity. Fix: attach a user-assigned identity to the scale set and pass it as options.identity');
    expect(() => login.pullImages(importedRegistry(stack, 'Other'), ['a:1'], { identity })).not.toThrow();
  });

  test('an identity removed from the target after pullImages is reported at synth', () => {
    const stack = newStack();
    const identity = newIdentity(stack);
    const vm = rawVm(stack, { identity: { type: 'UserAssigned', identityIds: [identity.identityId] } });
    new ContainerRegistryLogin(stack, 'Login', { target: vm }).pullImages(importedRegistry(stack), ['a:1'], { identity });
    vm.putIdentity({ type: 'SystemAssigned' });
    expect(() => Testing.synth(stack, true)).toThrow(/pullImages\(options.identity\): "Test\/AcrIdentity" is not in the target's identity block/);
  });

  test('custom data or user data replaced after the login was attached is reported at synth; untouched passes', () => {
    for (const replace of [
      (vm: ReturnType<typeof rawVm>) => { vm.customData = base64('#cloud-config\n{}\n'); },
      (vm: ReturnType<typeof rawVm>) => { vm.userData = base64('x'); },
    ]) {
      const stack = newStack();
      const vm = rawVm(stack, { identity: { type: 'SystemAssigned' } });
      new ContainerRegistryLogin(stack, 'Login', { target: vm });
      replace(vm);
      expect(() => Testing.synth(stack, true)).toThrow(
        /(custom_data|user_data): ".*" was replaced after the ContainerRegistryLogin was attached, so the machine would not run the registry login/);
    }
    const good = newStack();
    new ContainerRegistryLogin(good, 'Login', { target: rawVm(good, { identity: { type: 'SystemAssigned' } }) });
    expect(() => Testing.synth(good, true)).not.toThrow();
  });

  test('a target that is not a provider Linux VM or scale set', () => {
    const stack = newStack();
    const error = validationErrorOf(() => new ContainerRegistryLogin(stack, 'Login', { target: newRegistry(stack).resource as any }));
    expect(error.message.split('\n')).toContain(
      '  - target: "azurerm_container_registry" is not a LinuxVirtualMachine, LinuxVirtualMachineScaleSet or OrchestratedVirtualMachineScaleSet ' +
      'of @cdktf/provider-azurerm. Fix: pass the provider resource (e.g. new LinuxVirtualMachine(...)), or DockerVirtualMachine / ' +
      'DockerVirtualMachineScaleSet, which have their login');
  });

  test('login settings out of range; the limits and every method pass', () => {
    const stack = newStack();
    const error = validationErrorOf(() => new ContainerRegistryLogin(stack, 'Login', {
      target: rawVm(stack), loginTimeoutSeconds: 60, loginMethod: 'ssh' as RegistryLoginMethod,
    }));
    expect(error.message.split('\n')).toEqual([
      "ContainerRegistryLogin at 'Test/Login' has invalid input:",
      '  - loginTimeoutSeconds: 60 must be a whole number of at least 900 seconds: role assignments take up to 10 minutes to propagate ' +
        '(and at most 7200: a run ends before the timer\'s next one). Fix: leave it at the default (1800) or choose 900 to 7200',
      '  - loginMethod: "ssh" is not a login method (token-exchange, azure-cli). Fix: use RegistryLoginMethod.TOKEN_EXCHANGE or ' +
        'RegistryLoginMethod.AZURE_CLI',
    ]);
    const over = newStack();
    expect(validationErrorOf(() => new ContainerRegistryLogin(over, 'Login', { target: rawVm(over), loginTimeoutSeconds: 7201 })).message)
      .toContain('  - loginTimeoutSeconds: 7201 must be a whole number of at least 900 seconds');
    for (const [loginTimeoutSeconds, loginMethod] of [[900, RegistryLoginMethod.TOKEN_EXCHANGE], [7200, RegistryLoginMethod.AZURE_CLI]] as const) {
      const good = newStack();
      expect(() => new ContainerRegistryLogin(good, 'Login', { target: rawVm(good), loginTimeoutSeconds, loginMethod })).not.toThrow();
    }
  });
});

describe('VmBootstrap: the pieces for images of your own', () => {
  test('format 1; the cloud-config, the install script and the user data are the ones the constructs use', () => {
    expect(VmBootstrap.FORMAT).toBe(1);
    expect(VmBootstrap.cloudConfig()).toBe(bootstrapCloudConfig());
    expect(VmBootstrap.installScript()).toBe(bootstrapInstallScript());
    const userData = VmBootstrap.renderUserData({
      adminUsername: 'azureuser',
      logins: [{ registryName: 'myregistry', loginServer: 'myregistry.azurecr.io', images: ['aci-helloworld:v1'] }],
    });
    expect(userData.split('\n')[0]).toBe('#acr-login-user-data 1');
    expect(loginLines(userData)).toEqual(['login registry=myregistry login_server=myregistry.azurecr.io client_id= images=aci-helloworld:v1']);
    expect(userDataParts(userData).payload).toBe(loginPayload());
  });
});

describe('ContainerRegistryLogin.onExistingVirtualMachine', () => {
  const VM_ID = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/legacy-rg/providers/Microsoft.Compute/virtualMachines/legacy-vm';

  test('a CustomScript extension with the script in protected settings, and a data source checking the identity at plan', () => {
    // GIVEN
    const stack = newStack();
    const identity = newIdentity(stack);
    // WHEN
    const login = ContainerRegistryLogin.onExistingVirtualMachine(stack, 'Legacy', { virtualMachineId: VM_ID, adminUsername: 'azureuser', identity });
    login.pullImages(newRegistry(stack), ['aci-helloworld:v1']);
    // THEN
    const json = synth(stack);
    const extension = body(json, 'azurerm_virtual_machine_extension');
    expect(extension).toEqual(expect.objectContaining({
      name: 'acr-login', virtual_machine_id: VM_ID, publisher: 'Microsoft.Azure.Extensions', type: 'CustomScript',
      type_handler_version: '2.1', depends_on: [expect.stringMatching(/^data\.azurerm_virtual_machine\.Legacy_VirtualMachine_[0-9A-F]{8}$/)],
    }));
    expect(extension).not.toHaveProperty('settings');
    const data = Object.values(json.data.azurerm_virtual_machine)[0] as any;
    expect(data).toEqual(expect.objectContaining({ name: 'legacy-vm', resource_group_name: 'legacy-rg' }));
    expect(data.lifecycle.postcondition).toEqual([{
      condition: '${strcontains(lower(jsonencode(self.identity)), lower(jsonencode(azurerm_user_assigned_identity.AcrIdentity.id)))}',
      error_message: expect.stringContaining('Test/AcrIdentity that ContainerRegistryLogin logs in with is not assigned to the VM'),
    }]);
  });

  test('without an identity it logs in with the VM\'s system-assigned one, and the plan checks the VM has one', () => {
    const stack = newStack();
    ContainerRegistryLogin.onExistingVirtualMachine(stack, 'Legacy', { virtualMachineId: VM_ID, adminUsername: 'azureuser' })
      .pullImages(importedRegistry(stack), ['aci-helloworld:v1']);
    const json = synth(stack);
    const data = Object.values(json.data.azurerm_virtual_machine)[0] as any;
    expect(data.lifecycle.postcondition).toEqual([{
      condition: '${strcontains(jsonencode(self.identity), "SystemAssigned")}',
      error_message: 'The VM has no system-assigned identity, which ContainerRegistryLogin logs in with: ' +
        'az vm identity assign --resource-group <group> --name <vm>',
    }]);
    const template = /base64decode\("([A-Za-z0-9+/]+=*)"\)/.exec(body(json, 'azurerm_virtual_machine_extension').protected_settings)![1];
    expect(Buffer.from(template, 'base64').toString('utf8'))
      .toContain('\nlogin registry=otherRegistry login_server=otherregistry.azurecr.io client_id= images=aci-helloworld:v1\n');
  });

  itWithTool('terraform', 'the postconditions hold, in Terraform itself, exactly for a VM that has the identity', () => {
    // GIVEN the conditions for the system-assigned identity and for a user-assigned one
    const stack = newStack();
    const identity = UserAssignedIdentity.fromIdentityAttributes(stack, 'Id', {
      identityId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/Legacy`,
      principalId: '11111111-1111-1111-1111-111111111111', clientId: '22222222-2222-2222-2222-222222222222',
    });
    const login = ContainerRegistryLogin.onExistingVirtualMachine(stack, 'Legacy', { virtualMachineId: VM_ID, adminUsername: 'azureuser' });
    login.pullImages(importedRegistry(stack), ['a:1']);
    login.pullImages(importedRegistry(stack, 'Other'), ['b:1'], { identity });
    const conditions = ((Object.values(synth(stack).data.azurerm_virtual_machine)[0] as any).lifecycle.postcondition as any[])
      .map((p) => (p.condition as string).replace(/^\$\{(.*)\}$/s, '$1').replace(/self\.identity/g, 'var.identity'));
    expect(conditions).toHaveLength(2);
    // WHEN Terraform evaluates them for identity blocks as data.azurerm_virtual_machine reads them
    const id = (name: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
    const evaluate = (vmIdentity: unknown) => {
      const dir = mkdtempSync(join(tmpdir(), 'postcondition-'));
      writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ variable: { identity: { type: 'any' } } }));
      writeFileSync(join(dir, 'identity.auto.tfvars.json'), JSON.stringify({ identity: vmIdentity }));
      const result = spawnSync('terraform', ['console'], {
        cwd: dir, input: `jsonencode([${conditions.join(', ')}])\n`, encoding: 'utf8',
        env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
      });
      expect(result.stderr).toBe('');
      return JSON.parse(JSON.parse(result.stdout.trim())); // console prints the JSON as a quoted string
    };
    // THEN [system-assigned present, the user-assigned identity present], case-insensitively for the ID as Azure returns it
    const block = (type: string, ids: string[]) => [{ type, identity_ids: ids, principal_id: '', tenant_id: '' }];
    expect(evaluate([])).toEqual([false, false]);
    expect(evaluate(block('SystemAssigned', []))).toEqual([true, false]);
    expect(evaluate(block('UserAssigned', [id('legacy')]))).toEqual([false, true]);
    expect(evaluate(block('SystemAssigned, UserAssigned', [id('Other'), id('Legacy')]))).toEqual([true, true]);
    expect(evaluate(block('UserAssigned', [id('Other')]))).toEqual([false, false]);
  });

  test('Terraform waits for the first login: the extension\'s create and update timeouts are its budget, one step and a margin', () => {
    // The provider's default (30 minutes) is shorter than the default budget alone; a run ends by its budget plus one
    // bounded step (the payload's step_timeout_seconds).
    expect(loginPayload()).toContain('\nreadonly step_timeout_seconds=1800\n');
    const timeoutsFor = (loginTimeoutSeconds?: number) => {
      const stack = newStack();
      ContainerRegistryLogin.onExistingVirtualMachine(stack, 'Legacy', { virtualMachineId: VM_ID, adminUsername: 'azureuser', loginTimeoutSeconds })
        .pullImages(importedRegistry(stack), ['a:1']);
      return body(synth(stack), 'azurerm_virtual_machine_extension').timeouts;
    };
    expect(timeoutsFor()).toEqual({ create: '70m', update: '70m' }); // 30 min budget + 30 min step + 10 min
    expect(timeoutsFor(900)).toEqual({ create: '55m', update: '55m' });
    expect(timeoutsFor(7200)).toEqual({ create: '160m', update: '160m' });
  });

  test('the extension script writes the user data and installs the bootstrap, run against a fake systemctl', () => {
    // GIVEN the login on an existing VM, to a registry and identity with literal attributes
    const stack = newStack();
    const identity = UserAssignedIdentity.fromIdentityAttributes(stack, 'Id', {
      identityId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/legacy`,
      principalId: '11111111-1111-1111-1111-111111111111', clientId: '22222222-2222-2222-2222-222222222222',
    });
    const login = ContainerRegistryLogin.onExistingVirtualMachine(stack, 'Legacy', { virtualMachineId: VM_ID, adminUsername: 'azureuser', identity });
    login.pullImages(importedRegistry(stack), ['aci-helloworld:v1']);
    const json = synth(stack);
    // WHEN the script the extension runs (protected_settings.script, the stack's locals as Terraform gives them) runs as root would
    const protectedSettings = body(json, 'azurerm_virtual_machine_extension').protected_settings as string;
    const script = /^\$\{jsonencode\(\{"script" = (.*)\}\)\}$/s.exec(protectedSettings)![1];
    const text = textOf(json, `\${${script}}`).replace(/\$\{local\.(\w+)\}/g, (_, name) => json.locals[name]);
    const root = mkdtempSync(join(tmpdir(), 'existing-vm-'));
    const fakes = new FakeBin({ systemctl: {} });
    const result = fakes.run('/bin/bash', [writeExecutable('extension.sh', text)], { ACR_BOOTSTRAP_ROOT: root });
    // THEN the user data is where the bootstrap reads it, the bootstrap is installed and activated
    expect(result.stderr).not.toMatch(/error|No such file/i);
    expect(result.status).toBe(0);
    const userData = readFileSync(join(root, 'etc/acr-login/user-data'), 'utf8');
    expect(loginLines(userData)).toEqual([
      'login registry=otherRegistry login_server=otherregistry.azurecr.io client_id=22222222-2222-2222-2222-222222222222 images=aci-helloworld:v1',
    ]);
    expect(userDataParts(userData).payload).toBe(loginPayload());
    expect(readFileSync(join(root, 'usr/local/sbin/acr-bootstrap'), 'utf8')).toBe(readFileSync(join(__dirname, '..', 'vm', 'acr-bootstrap.sh'), 'utf8'));
    expect(fakes.calls()).toEqual(['systemctl daemon-reload', 'systemctl enable --now acr-login.timer', 'systemctl start acr-login.service']);
    fakes.remove();
  });
});
