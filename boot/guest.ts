import { spawn } from 'child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { Background, BootTestFailure, freePort, sleep, waitFor } from './process';

/** The guest's network (QEMU user networking): it must hold IMDS's 169.254.169.254. */
export const GUEST_NETWORK = {
  net: '169.254.169.0/24',
  /** The host, as the guest sees it (connections go to the host's 127.0.0.1). */
  host: '169.254.169.2',
  dns: '169.254.169.3',
  imds: '169.254.169.254',
  /** Where the guest's /etc/hosts puts the registries' login servers (forwarded to the TLS front). */
  registry: '169.254.169.10',
};

export type Accelerator = 'kvm' | 'tcg';

export interface GuestOptions {
  readonly imageDir: string;
  /** Where the serial console log and SSH control socket go. */
  readonly dir: string;
  readonly accelerator: Accelerator;
  /** Fake IMDS and NoCloud seed (HTTP), and the registries' TLS front, on the host's 127.0.0.1. */
  readonly metadataPort: number;
  readonly registryPort: number;
  readonly loginServers: string[];
  /** Who SSH logs in as (the admin user Azure provisions) and with which private key. */
  readonly sshUser: string;
  readonly sshKeyFile: string;
}

export interface CommandResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One QEMU guest booted from the cached image (copy-on-write: the image is never changed). */
export class Guest {
  private qemu?: Background;
  private sshPort = 0;
  readonly serialLog: string;
  /** SSH's control socket: a short path (sockets are limited to 108 bytes). */
  private readonly sshControlDir = mkdtempSync(join(tmpdir(), 'acr-boot-ssh-'));

  constructor(private readonly options: GuestOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.serialLog = join(options.dir, 'serial.log');
  }

  async start(): Promise<void> {
    this.sshPort = await freePort();
    const { imageDir, accelerator, metadataPort, registryPort, loginServers } = this.options;
    const net = GUEST_NETWORK;
    const append = [
      'root=/dev/vda', 'rw', 'console=ttyS0',
      `ds=nocloud-net;s=http://${net.host}:${metadataPort}/nocloud/`,
      `acr_boot_test.hosts=${loginServers.map((name) => `${name}=${net.registry}`).join(',')}`,
      // The whole journal on the serial console: evidence even when SSH never comes up.
      'systemd.journald.forward_to_console=1',
    ].join(' ');
    const netdev = [
      'user', 'id=net0', `net=${net.net}`, `host=${net.host}`, `dns=${net.dns}`,
      `hostfwd=tcp:127.0.0.1:${this.sshPort}-:22`,
      // cmd: opens one connection per guest connection (a tcp: target would connect once, at start).
      `guestfwd=tcp:${net.imds}:80-cmd:socat - TCP:127.0.0.1:${metadataPort}`,
      `guestfwd=tcp:${net.registry}:443-cmd:socat - TCP:127.0.0.1:${registryPort}`,
    ].join(',');
    this.qemu = new Background('qemu', 'qemu-system-x86_64', [
      ...accelArgs(accelerator), '-m', '2048', '-smp', '2',
      '-nodefaults', '-no-user-config', '-display', 'none', '-serial', `file:${this.serialLog}`, '-rtc', 'base=utc',
      '-kernel', join(imageDir, 'vmlinuz'), '-initrd', join(imageDir, 'initrd.img'), '-append', append,
      '-drive', `file=${join(imageDir, 'rootfs.raw')},format=raw,if=virtio,snapshot=on`,
      '-netdev', netdev, '-device', 'virtio-net-pci,netdev=net0', '-device', 'virtio-rng-pci',
    ], join(this.options.dir, 'qemu.log'));
  }

  /** Runs a command in the guest as the SSH user; `input` goes to its stdin. */
  ssh(command: string, options: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
    if (!this.qemu?.running) throw new BootTestFailure(`QEMU is not running (see ${join(this.options.dir, 'qemu.log')})`);
    return new Promise((resolve) => {
      const child = spawn('ssh', [...this.sshArgs(), command], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
      child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
      child.on('close', (status) => { clearTimeout(timer); resolve({ status: status ?? 255, stdout, stderr }); });
      // ssh may exit before reading its input (the guest not answering yet): its exit status tells.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input ?? '');
    });
  }

  /** Like {@link ssh}, failing unless the command succeeds. */
  async sshOk(command: string, options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const result = await this.ssh(command, options);
    if (result.status !== 0) {
      throw new BootTestFailure(`in the guest, '${command}' exited ${result.status}:\n${result.stdout}${result.stderr}`.trim());
    }
    return result.stdout;
  }

  /** Waits until SSH answers; returns the guest's boot ID. */
  async waitForSsh(timeoutMs: number, notBootId?: string): Promise<string> {
    return waitFor('the guest to answer SSH', timeoutMs, async () => {
      if (!this.qemu?.running) throw new BootTestFailure(`QEMU exited (see ${join(this.options.dir, 'qemu.log')} and ${this.serialLog})`);
      const result = await this.ssh('cat /proc/sys/kernel/random/boot_id', { timeoutMs: 30_000 });
      const bootId = result.stdout.trim();
      return result.status === 0 && bootId !== notBootId ? bootId : undefined;
    }, 5000);
  }

  /** Reboots the guest and waits for it to answer again; returns the new boot ID. */
  async reboot(timeoutMs: number): Promise<string> {
    const before = (await this.sshOk('cat /proc/sys/kernel/random/boot_id')).trim();
    await this.ssh('sudo systemctl reboot', { timeoutMs: 30_000 });
    await this.closeSshMaster();
    await sleep(5000);
    return this.waitForSsh(timeoutMs, before);
  }

  async stop(): Promise<void> {
    if (!this.qemu?.running) return;
    await this.ssh('sudo systemctl poweroff', { timeoutMs: 15_000 }).catch(() => undefined);
    await this.closeSshMaster();
    const exited = await Promise.race([this.qemu.waitForExit().then(() => true), sleep(60_000).then(() => false)]);
    if (!exited) await this.qemu.stop();
    rmSync(this.sshControlDir, { recursive: true, force: true });
  }

  /**
   * Ends the shared SSH connection: the next command logs in afresh, with the groups the admin user has now
   * (a session opened before the login service added the user to `docker` does not have that group).
   */
  async newSession(): Promise<void> {
    await this.closeSshMaster();
  }

  private async closeSshMaster(): Promise<void> {
    await new Promise((resolve) => spawn('ssh', [...this.sshArgs(), '-O', 'exit'], { stdio: 'ignore' }).on('close', resolve));
  }

  private sshArgs(): string[] {
    return [
      '-i', this.options.sshKeyFile, '-p', String(this.sshPort), '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR',
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=20',
      '-o', 'ServerAliveInterval=10', '-o', 'ServerAliveCountMax=6',
      // One connection for every command: key exchanges are slow under software emulation.
      '-o', 'ControlMaster=auto', '-o', `ControlPath=${this.sshControlDir}/%C`, '-o', 'ControlPersist=300',
      `${this.options.sshUser}@127.0.0.1`,
    ];
  }
}

function accelArgs(accelerator: Accelerator): string[] {
  return accelerator === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi', '-cpu', 'max'];
}

/**
 * Which accelerator boots the guest kernel on this machine. /dev/kvm is not trusted: a nested hypervisor may
 * offer it and still hang a stock kernel, so the kernel is booted (without a root file system, to its
 * "VFS: Unable to mount root fs" panic) under KVM, then under TCG. Undefined: QEMU cannot boot it at all.
 * The answer is cached per host boot.
 */
export async function probeAccelerator(imageDir: string, dir: string): Promise<{ accelerator?: Accelerator; report: string }> {
  mkdirSync(dir, { recursive: true });
  const hostBoot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const cache = join(dirname(imageDir), `accelerator.${hostBoot}`);
  if (existsSync(cache)) {
    const cached = readFileSync(cache, 'utf8').trim() as Accelerator;
    return { accelerator: cached, report: `${cached} (probed earlier in this host boot)` };
  }
  const reports: string[] = [];
  const candidates: Accelerator[] = kvmDeviceUsable() ? ['kvm', 'tcg'] : ['tcg'];
  if (candidates[0] !== 'kvm') reports.push('kvm: /dev/kvm is absent or not usable');
  for (const accelerator of candidates) {
    const started = Date.now();
    const ok = await bootsToPanic(imageDir, accelerator, join(dir, `probe-${accelerator}.log`), accelerator === 'kvm' ? 20_000 : 90_000);
    reports.push(`${accelerator}: ${ok ? 'boots' : 'does not boot'} the guest kernel (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (ok) {
      try {
        writeFileSync(cache, accelerator);
      } catch {
        // a read-only image cache: probe again next time
      }
      return { accelerator, report: reports.join('; ') };
    }
  }
  return { report: reports.join('; ') };
}

function kvmDeviceUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function bootsToPanic(imageDir: string, accelerator: Accelerator, logFile: string, timeoutMs: number): Promise<boolean> {
  const serial = `${logFile}.serial`;
  writeFileSync(serial, '');
  const qemu = new Background(`probe-${accelerator}`, 'qemu-system-x86_64', [
    ...accelArgs(accelerator), '-m', '512', '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-serial', `file:${serial}`, '-kernel', join(imageDir, 'vmlinuz'), '-append', 'console=ttyS0 panic=-1',
  ], logFile);
  const panicked = () => /Kernel panic|VFS: Unable to mount root/.test(readFileSync(serial, 'utf8'));
  const deadline = Date.now() + timeoutMs;
  while (qemu.running && !panicked() && Date.now() < deadline) await sleep(250);
  const ok = panicked();
  await qemu.stop(1000);
  return ok;
}
