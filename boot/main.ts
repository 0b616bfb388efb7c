/**
 * The boot test: boots each example stack's machine under QEMU with the exact custom_data and user_data the
 * stack synthesizes, against a fake Azure (IMDS, token exchange, a real registry), and checks inside the guest,
 * as the admin user, that the login service logged in and pulled. Run by boot/run.sh (npm run test:boot), which
 * installs the host packages, builds or reuses the guest image and synthesizes the stacks; see README "Tests".
 */
import { createHash, randomBytes } from 'crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { Checks, checkCloudInitDone, checkLoggedIn, checkRegistryPulls, checkRetries, credentialsIn, GuestFacts, serviceFinished } from './checks';
import { ACR_REFRESH_TOKEN_USER, FakeAzure, RequestRecord } from './fake-azure';
import { Guest, probeAccelerator } from './guest';
import { BootTestFailure, seconds, stopAll, waitFor } from './process';
import { Registry, issueCertificate } from './registry';
import { EXISTING_VM, TEAM_CLOUD_CONFIG_MARKER } from './apps/names';
import { ExistingMachine, MachineData, readMachines } from './stack-data';

/** What one machine's guest goes through. */
interface Plan {
  /** The cdktf app that synthesizes the stack: the examples (main.ts) or boot/apps/targets.ts. */
  readonly app: 'examples' | 'targets';
  readonly stack: string;
  /** The machine's Terraform address (or its start), when the stack has several. */
  readonly machine?: string;
  /** A VM made outside Terraform, logged in by the stack's CustomScript extension. */
  readonly existing?: ExistingMachine;
  /** A file the machine's own cloud-config (beside the bootstrap, in a multipart custom_data) must have made. */
  readonly ownCloudConfigMarker?: string;
  /** First boot with the identity not yet usable: IMDS refuses the first N token requests. */
  readonly tokenRefusals: number;
  /** ... and the pull role still propagating: the token exchange refuses the first N. */
  readonly exchangeRefusals: number;
  /** Serve the user_data of the stack synthesized with another image; `systemctl start acr-login.service`. */
  readonly userDataChange: boolean;
  /** Serve the user_data with `login_method=azure-cli`: the image's current Azure CLI logs in, uninstalled. */
  readonly azureCliMethod: boolean;
  /** Reboot: the timer and the service come back. */
  readonly reboot: boolean;
}

const FIRST_BOOT_ONLY = { userDataChange: false, azureCliMethod: false, reboot: false };
/** The examples run by default (and in CI); BOOT_STACKS=boot-targets adds the scale set and the raw VM. */
const PLANS: Plan[] = [
  // The scenarios after the first boot are split between the two, which boot side by side: about as long each.
  { app: 'examples', stack: 'acr-pull-user-assigned', tokenRefusals: 3, exchangeRefusals: 0, userDataChange: true, azureCliMethod: true, reboot: false },
  { app: 'examples', stack: 'acr-pull-system-assigned', tokenRefusals: 1, exchangeRefusals: 2, ...FIRST_BOOT_ONLY, reboot: true },
  { app: 'targets', stack: 'boot-targets', machine: 'azurerm_linux_virtual_machine_scale_set.Fleet', tokenRefusals: 1, exchangeRefusals: 1, ...FIRST_BOOT_ONLY },
  {
    app: 'targets', stack: 'boot-targets', machine: 'azurerm_linux_virtual_machine.RawVm', ownCloudConfigMarker: TEAM_CLOUD_CONFIG_MARKER,
    tokenRefusals: 0, exchangeRefusals: 1, ...FIRST_BOOT_ONLY,
  },
  {
    app: 'targets', stack: 'boot-targets', machine: 'azurerm_virtual_machine_extension.ExistingVmLogin',
    existing: { name: EXISTING_VM.name, adminUsername: EXISTING_VM.adminUsername, userAssignedIdentities: [`azurerm_user_assigned_identity.${EXISTING_VM.identity}`] },
    tokenRefusals: 1, exchangeRefusals: 0, ...FIRST_BOOT_ONLY,
  },
];
const DEFAULT_STACKS = ['acr-pull-user-assigned', 'acr-pull-system-assigned'];

/** The plan's name in logs and the artifacts: the stack, and the machine when the stack has several. */
function nameOf(plan: Plan): string {
  return plan.machine ? `${plan.stack}.${plan.machine.split('.').pop()}` : plan.stack;
}

/**
 * Deliberately broken runs (BOOT_BREAK), to see the test fail: the first plan's first boot only.
 * - admin-user: Azure provisions the admin user under another name than the stack's data names.
 * - service-user: the login service's `User=` names a user that does not exist (designs where it has one).
 */
const BREAKS = ['admin-user', 'service-user'] as const;
type Break = (typeof BREAKS)[number];
const RENAMED_ADMIN = 'renamedadmin';

const MARKER_FILE = join(__dirname, 'image/rootfs/etc/skel/.azure/boot-test-marker');
const FAKE_AZ_FILE = join(__dirname, 'image/rootfs/usr/bin/az');
/** The Azure CLI's resource for `az login --identity` and the token `az acr login` exchanges (ARM's). */
const ARM_RESOURCE = 'https://management.core.windows.net/';
/** How the Azure agent runs a CustomScript's `script` (custom-script-extension-linux, main/cmds.go and exec.go). */
const AGENT_RUN = 'd=/var/lib/waagent/custom-script/download/0 && install -d -m 0700 $d && cat >$d/script.sh && chmod 0500 $d/script.sh'
  + ' && cd $d && /bin/bash -c $d/script.sh >$d/stdout 2>$d/stderr';
const WAIT = { ssh: 10 * 60_000, cloudInit: 15 * 60_000, service: 15 * 60_000, reboot: 8 * 60_000 };

interface Context {
  readonly imageDir: string;
  readonly artifacts: string;
  readonly sshKeyFile: string;
  readonly accelerator: 'kvm' | 'tcg';
  readonly baseImage: string;
  readonly changedImage: string;
  readonly registry: Registry;
  readonly refreshToken: string;
  readonly tls: { key: string; cert: string };
  readonly loginServers: string[];
  readonly breakage?: Break;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new BootTestFailure(`${name} is not set: run the boot test with npm run test:boot`);
  return value;
}

async function main(): Promise<number> {
  const started = Date.now();
  const artifacts = env('BOOT_ARTIFACTS');
  const imageDir = env('BOOT_IMAGE_DIR');
  const breakage = process.env.BOOT_BREAK as Break | undefined;
  if (breakage && !BREAKS.includes(breakage)) throw new BootTestFailure(`BOOT_BREAK must be one of ${BREAKS.join(', ')}, not '${breakage}'`);
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });

  const probe = await probeAccelerator(imageDir, join(artifacts, 'probe'));
  console.log(`boot test: accelerator ${probe.accelerator ?? 'none'} (${probe.report})`);
  if (!probe.accelerator) {
    const message = `QEMU cannot boot the guest kernel on this machine (${probe.report})`;
    if (process.env.BOOT_REQUIRED === '1') throw new BootTestFailure(`${message}, and BOOT_REQUIRED=1`);
    console.log(`boot test: SKIPPED: ${message}. Nothing was booted, nothing was proven.`);
    return 0;
  }

  const baseImage = env('BOOT_BASE_IMAGE');
  const changedImage = env('BOOT_CHANGED_IMAGE');
  const stacks = process.env.BOOT_STACKS?.split(',') ?? DEFAULT_STACKS;
  let plans = PLANS.filter((plan) => stacks.includes(plan.stack));
  if (plans.length === 0) throw new BootTestFailure(`BOOT_STACKS names none of ${PLANS.map((plan) => plan.stack).join(', ')}`);
  if (breakage) plans = [{ ...plans[0], userDataChange: false, azureCliMethod: false, reboot: false }];

  // The data of every machine, evaluated by Terraform: the stacks as synthesized, and with another image.
  const machines = new Map<Plan, { base: MachineData; changed: MachineData }>();
  for (const plan of plans) {
    const read = (variant: string) => {
      const stackDir = join(env('BOOT_SYNTH_ROOT'), `${plan.app}-${variant}`, 'stacks', plan.stack);
      const found = readMachines(stackDir, plan.stack, join(artifacts, 'terraform', variant), plan.existing)
        .filter((machine) => !plan.machine || machine.address.startsWith(plan.machine));
      if (found.length !== 1) throw new BootTestFailure(`${nameOf(plan)}: expected one machine, found ${found.map((m) => m.address).join(', ') || 'none'}`);
      return found[0];
    };
    machines.set(plan, { base: read('base'), changed: read('changed') });
  }
  const loginServers = [...new Set([...machines.values()].flatMap(({ base }) => base.registries.map((r) => r.loginServer)))];

  const registryStarted = Date.now();
  const refreshToken = randomBytes(24).toString('base64url');
  const registry = await Registry.start(join(artifacts, 'registry'), refreshToken);
  const [repository, baseTag] = baseImage.split(':');
  const changedTag = changedImage.split(':')[1];
  registry.push(repository, baseTag, join(artifacts, 'registry', 'images'));
  registry.push(repository, changedTag, join(artifacts, 'registry', 'images'));
  const tls = issueCertificate(imageDir, loginServers, join(artifacts, 'registry', 'tls'));
  console.log(`boot test: registry with ${baseImage} and ${changedImage} for ${loginServers.join(', ')} ready in ${seconds(registryStarted)}`);

  const context: Context = {
    imageDir, artifacts, sshKeyFile: env('BOOT_SSH_KEY'), accelerator: probe.accelerator, baseImage, changedImage,
    registry, refreshToken, tls, loginServers, breakage,
  };
  const runOne = async (plan: Plan) => {
    const variantStarted = Date.now();
    const { base, changed } = machines.get(plan)!;
    const ok = await runPlan(plan, base, changed, context);
    return `${ok ? 'PASS' : 'FAIL'} ${nameOf(plan)} (${seconds(variantStarted)})`;
  };
  const outcomes: string[] = [];
  try {
    // The guests run side by side by default: much of a boot is waiting (mirror, retries, the timer), which
    // the other guest's emulation fills. BOOT_SEQUENTIAL=1 boots one after the other.
    if (process.env.BOOT_SEQUENTIAL === '1') {
      for (const plan of plans) outcomes.push(await runOne(plan));
    } else {
      outcomes.push(...await Promise.all(plans.map(runOne)));
    }
  } finally {
    await registry.stop();
  }
  console.log(`\nboot test (${probe.accelerator}): ${seconds(started)} in all\n${outcomes.map((line) => `  ${line}`).join('\n')}`);
  console.log(`evidence: ${artifacts}`);
  return outcomes.every((line) => line.startsWith('PASS')) ? 0 : 1;
}

/** Boots one stack's machine through its scenarios; prints the evidence when one fails. */
async function runPlan(plan: Plan, base: MachineData, changed: MachineData, context: Context): Promise<boolean> {
  const dir = join(context.artifacts, nameOf(plan));
  mkdirSync(dir, { recursive: true });
  const log = (text: string) => {
    console.log(`[${nameOf(plan)}] ${text}`);
    appendFileSync(join(dir, 'progress.log'), `${new Date().toISOString()} ${text}\n`);
  };
  const customData = breakData(base.customData, context.breakage);
  const adminUsername = context.breakage === 'admin-user' ? RENAMED_ADMIN : base.adminUsername;
  writeFileSync(join(dir, 'custom_data.txt'), customData);
  writeFileSync(join(dir, 'user_data.txt'), base.userData);
  writeFileSync(join(dir, 'user_data.changed.txt'), changed.userData);

  // Static: the data holds no credential; another image changes user_data only (no VM replacement).
  const data = new Checks('the synthesized data');
  for (const [name, text] of [['custom_data', base.customData], ['user_data', base.userData], ['changed user_data', changed.userData]]) {
    const found = credentialsIn(text);
    data.check(found.length === 0, `${name} holds no credential`, found.join('; '));
  }
  const sshPublicKey = readFileSync(`${context.sshKeyFile}.pub`, 'utf8').trim();
  if (!base.agentScript) {
    data.check(base.sshPublicKey === sshPublicKey, "the stack's admin SSH key is the boot test's", 'synthesize with ACR_DEMO_SSH_PUBLIC_KEY (boot/run.sh does)');
  } else {
    const found = credentialsIn(base.agentScript);
    data.check(found.length === 0, 'the CustomScript extension\'s script holds no credential', found.join('; '));
    writeFileSync(join(dir, 'custom_script.sh'), base.agentScript);
  }
  if (plan.userDataChange) {
    data.check(changed.customData === base.customData, `with ${context.changedImage} instead, custom_data is unchanged (the VM is not replaced)`,
      'it changed');
    data.check(changed.userData !== base.userData, `with ${context.changedImage} instead, user_data changes`, 'it did not');
  }
  log(data.report());
  if (data.failed) return false;

  const fake = new FakeAzure({
    machine: {
      instanceId: `${nameOf(plan)}-${Date.now()}`, computerName: base.computerName, adminUsername, sshPublicKey,
      identity: base.identity, customData, userData: base.userData,
    },
    loginServers: context.loginServers, tokenRefusals: plan.tokenRefusals, exchangeRefusals: plan.exchangeRefusals,
    refreshToken: context.refreshToken, registryPort: context.registry.port, tls: context.tls, logFile: join(dir, 'fake-azure.log'),
  });
  const ports = await fake.start();
  const guest = new Guest({
    imageDir: context.imageDir, dir, accelerator: context.accelerator, ...ports, loginServers: context.loginServers,
    sshUser: adminUsername, sshKeyFile: context.sshKeyFile,
  });
  const loginServers = base.registries.map((registry) => registry.loginServer);
  const marker = readFileSync(MARKER_FILE, 'utf8');
  const expected = (images: string[]) => ({
    adminUsername, loginServers, images: images.flatMap((image) => loginServers.map((server) => `${server}/${image}`)),
    azureMarker: marker, azureMarkerSha256: createHash('sha256').update(marker).digest('hex'),
  });
  const facts = async () => JSON.parse(await guest.sshOk('python3 -', { input: readFileSync(join(__dirname, 'guest-facts.py'), 'utf8') })) as GuestFacts;
  const waitForService = (what: string, timeoutMs: number) => waitFor(what, timeoutMs, async () => {
    const current = await facts();
    return serviceFinished(current) ? current : undefined;
  }, 5000);

  let ok = false;
  try {
    // 1. First boot, the identity and its role not yet usable.
    let phase = Date.now();
    const bootStarted = Date.now();
    await guest.start();
    log(`booting (${context.accelerator}), serial console: ${guest.serialLog}`);
    await guest.waitForSsh(WAIT.ssh);
    log(`SSH answers after ${seconds(phase)}`);
    await guest.ssh('sudo cloud-init status --wait >/dev/null', { timeoutMs: WAIT.cloudInit });
    log(`cloud-init done after ${seconds(phase)}`);
    if (base.agentScript) {
      // The Azure agent's CustomScript (custom-script-extension-linux): script.sh, mode 0500, run by bash as root.
      const ran = await guest.ssh(`sudo bash -c '${AGENT_RUN}'`, { input: base.agentScript, timeoutMs: WAIT.service });
      log(`the Azure agent ran the CustomScript extension's script: exit ${ran.status}, ${seconds(phase)} after the boot`);
    }
    await waitForService('acr-login.service to finish its first run', WAIT.service);
    log(`acr-login.service finished after ${seconds(phase)} (boot to pulled image)`);
    await guest.newSession();
    let current = await facts();
    const first = new Checks(`first boot (IMDS refuses ${plan.tokenRefusals} token request(s), the exchange ${plan.exchangeRefusals})`);
    checkCloudInitDone(first, current);
    checkLoggedIn(first, current, expected([context.baseImage]));
    checkRetries(first, fake.requestsOf('imds-token'), 'managed identity tokens', plan.tokenRefusals, bootStarted);
    if (plan.exchangeRefusals > 0) checkRetries(first, fake.requestsOf('exchange'), 'token exchanges', plan.exchangeRefusals, bootStarted);
    checkRegistryPulls(first, fake.requestsOf('registry'), ACR_REFRESH_TOKEN_USER, [context.baseImage], bootStarted);
    if (plan.ownCloudConfigMarker) {
      const made = await guest.ssh(`test -f ${plan.ownCloudConfigMarker}`);
      first.check(made.status === 0, `the machine's own cloud-config ran beside the bootstrap (${plan.ownCloudConfigMarker})`, 'it did not');
    }
    log(first.report());
    first.throwIfFailed();

    // 2. user_data changed in place (an image added): picked up without a reboot.
    if (plan.userDataChange) {
      phase = Date.now();
      fake.setUserData(changed.userData);
      await guest.sshOk('sudo systemctl start acr-login.service', { timeoutMs: WAIT.service });
      await guest.newSession();
      current = await facts();
      const change = new Checks(`user_data changed to ${context.changedImage}, then systemctl start acr-login.service`);
      change.check(fake.requestsOf('imds-user-data').some((record) => record.at >= phase), 'the service read the new user data from IMDS', 'it did not');
      checkLoggedIn(change, current, expected([context.baseImage, context.changedImage]));
      checkRegistryPulls(change, fake.requestsOf('registry'), ACR_REFRESH_TOKEN_USER, [context.changedImage], phase);
      log(`${change.report()}\n  (${seconds(phase)})`);
      change.throwIfFailed();
    }

    // 3. The azure-cli login method on a machine that has a current Azure CLI (a golden image): used as it is.
    if (plan.azureCliMethod) {
      const switched = withLoginMethod(plan.userDataChange ? changed.userData : base.userData, 'azure-cli');
      if (switched === undefined) {
        log('no login_method setting in this design\'s user data: the first boot logged in with the Azure CLI');
      } else {
        phase = Date.now();
        fake.setUserData(switched);
        writeFileSync(join(dir, 'user_data.azure-cli.txt'), switched);
        await guest.sshOk('sudo systemctl start acr-login.service', { timeoutMs: WAIT.service });
        await guest.newSession();
        current = await facts();
        const images = plan.userDataChange ? [context.baseImage, context.changedImage] : [context.baseImage];
        const since = (kind: RequestRecord['kind']) => fake.requestsOf(kind).filter((record) => record.at >= phase && record.status === 200);
        const cli = new Checks('user_data with login_method=azure-cli, the image has a current Azure CLI; systemctl start acr-login.service');
        checkLoggedIn(cli, current, expected(images));
        cli.check(since('imds-token').some((record) => record.note.includes(ARM_RESOURCE)),
          'the Azure CLI logged in (az login --identity: an ARM token from IMDS)', 'no ARM token was requested');
        cli.check(since('exchange').some((record) => record.note.includes(ARM_RESOURCE)),
          'az acr login exchanged its token at the registry', 'no exchange of an ARM token');
        const imageAz = createHash('sha256').update(readFileSync(FAKE_AZ_FILE)).digest('hex');
        cli.check(current.az.sha256 === imageAz && !current.az.package.includes('install ok installed'),
          "the image's current Azure CLI was used as it is (no azure-cli package installed over it)",
          `/usr/bin/az ${current.az.sha256 === imageAz ? 'unchanged' : 'replaced'}, azure-cli package: ${current.az.package || 'none'}`);
        log(`${cli.report()}\n  (${seconds(phase)})`);
        cli.throwIfFailed();
      }
    }

    // 4. Reboot: the timer comes back and runs the service again.
    if (plan.reboot) {
      phase = Date.now();
      const bootId = current.boot_id;
      await guest.reboot(WAIT.ssh);
      log(`rebooted: SSH answers after ${seconds(phase)}`);
      current = await waitForService('acr-login.service to run after the reboot', WAIT.reboot);
      log(`acr-login.service ran after the reboot, ${seconds(phase)} after it`);
      const reboot = new Checks('reboot');
      reboot.check(current.boot_id !== bootId, 'the guest booted again', 'same boot ID');
      checkLoggedIn(reboot, current, expected(plan.userDataChange ? [context.baseImage, context.changedImage] : [context.baseImage]));
      reboot.check(fake.requestsOf('imds-token').some((record) => record.at >= phase && record.status === 200),
        'the service logged in again after the reboot (a new token from IMDS)', 'no token request after the reboot');
      log(reboot.report());
      reboot.throwIfFailed();
    }
    ok = true;
  } catch (error) {
    log(`FAILED: ${error instanceof BootTestFailure ? error.message : (error as Error).stack}`);
  }

  const evidence = await collectEvidence(guest, dir, fake);
  const leaks = new Checks('no credential in the guest\'s journal, cloud-init logs or serial console');
  for (const [file, text] of Object.entries(evidence.files)) {
    const found = credentialsIn(text, fake.secrets());
    leaks.check(found.length === 0, `${file} holds no credential`, found.join('; '));
  }
  log(leaks.report());
  if (leaks.failed) ok = false;
  await guest.stop();
  await fake.stop();
  if (!ok) {
    console.error(`\n===== evidence of ${nameOf(plan)} (all of it in ${dir}) =====\n${evidence.summary}\n===== end of evidence =====\n`);
  }
  return ok;
}

/** The user data with another `login_method=` setting; undefined when it has none (the design before it). */
function withLoginMethod(userData: string, method: string): string | undefined {
  return /^login_method=\S*$/m.test(userData) ? userData.replace(/^login_method=\S*$/m, `login_method=${method}`) : undefined;
}

/** BOOT_BREAK=service-user: acr-login.service runs as a user that does not exist (its User= changed or added). */
function breakData(customData: string, breakage?: Break): string {
  if (breakage !== 'service-user') return customData;
  if (/^(\s*)User=\S+$/m.test(customData)) return customData.replace(/^(\s*)User=\S+$/m, '$1User=nosuchuser');
  if (!/^(\s*)\[Service\]$/m.test(customData)) throw new BootTestFailure('BOOT_BREAK=service-user: the custom_data has no [Service] section');
  return customData.replace(/^(\s*)\[Service\]$/m, '$1[Service]\n$1User=nosuchuser');
}

/** Saves what the guest and the fake saw (journal, cloud-init, docker) and returns a summary to print. */
async function collectEvidence(guest: Guest, dir: string, fake: FakeAzure): Promise<{ files: Record<string, string>; summary: string }> {
  const commands: Record<string, string> = {
    'acr-login.journal.txt': 'sudo journalctl -u acr-login.service -u acr-login.timer -o short-precise --no-pager',
    'systemctl-status.txt': 'systemctl status --no-pager acr-login.service acr-login.timer; systemctl list-timers --all --no-pager',
    'cloud-init-status.txt': 'sudo cloud-init status --long',
    'docker-images.txt': 'docker images',
    'cloud-init-output.log': 'sudo cat /var/log/cloud-init-output.log',
    'cloud-init.log': 'sudo cat /var/log/cloud-init.log',
    'journal.txt': 'sudo journalctl -o short-precise --no-pager',
    'custom-script.txt': 'sudo sh -c "cat /var/lib/waagent/custom-script/download/0/stdout /var/lib/waagent/custom-script/download/0/stderr" 2>/dev/null || true',
  };
  const files: Record<string, string> = {};
  for (const [file, command] of Object.entries(commands)) {
    const result = await guest.ssh(command, { timeoutMs: 60_000 }).catch((error: Error) => ({ status: -1, stdout: '', stderr: error.message }));
    files[file] = `${result.stdout}${result.stderr ? `\n[stderr] ${result.stderr}` : ''}${result.status !== 0 ? `\n[exit ${result.status}]` : ''}`;
    writeFileSync(join(dir, file), files[file]);
  }
  files['serial.log'] = readFileSync(guest.serialLog, 'utf8');
  const fakeLog = readFileSync(join(dir, 'fake-azure.log'), 'utf8');
  const tail = (text: string, lines: number) => text.trimEnd().split('\n').slice(-lines).join('\n');
  const summary = [
    `--- journal of acr-login.service (${join(dir, 'acr-login.journal.txt')})`, tail(files['acr-login.journal.txt'], 80),
    '--- cloud-init status --long', tail(files['cloud-init-status.txt'], 20),
    '--- docker images (as the admin user)', files['docker-images.txt'].trim(),
    '--- systemctl status', tail(files['systemctl-status.txt'], 30),
    '--- cloud-init-output.log (end)', tail(files['cloud-init-output.log'], 30),
    '--- the fake Azure\'s requests (end)', tail(fakeLog, 40),
    `--- serial console: ${guest.serialLog}`,
  ].join('\n');
  writeFileSync(join(dir, 'evidence.txt'), `${summary}\n`);
  fake.note('evidence collected');
  return { files, summary };
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { void stopAll().then(() => process.exit(130)); });
}
// A bug of the harness must not leave guests running.
process.on('uncaughtException', (error) => {
  console.error(`boot test: ${error.stack}`);
  void stopAll().then(() => process.exit(1));
});
main().then((code) => code, (error: Error) => {
  console.error(`boot test: ${error instanceof BootTestFailure ? error.message : error.stack}`);
  return 1;
}).then(async (code) => {
  await stopAll();
  process.exit(code);
});
