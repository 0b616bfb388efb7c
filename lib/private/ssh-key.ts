import type * as Sshpk from 'sshpk';

/** sshpk is loaded on first use: importing the library, or a stack without a VM, need not pay for it. */
let sshpk: typeof Sshpk | undefined;
function loadSshpk(): typeof Sshpk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred load, measured by npm run bench
  return (sshpk ??= require('sshpk') as typeof Sshpk);
}

/** True when the text holds a private key (PEM, OpenSSH or PuTTY): it must never be echoed or synthesized. */
export function isPrivateKey(text: string): boolean {
  return /PRIVATE KEY|PuTTY-User-Key-File/.test(text);
}

/** What Azure accepts for Linux VM SSH keys: RSA of at least 2048 bits, or Ed25519. Undefined when the key is fine. */
export function sshPublicKeyProblem(publicKey: string): string | undefined {
  const text = publicKey.trim();
  if (isPrivateKey(text)) {
    return 'is a PRIVATE key: it must never be put in Terraform (the JSON and the state are readable)';
  }
  if (/^-{4,5} ?BEGIN [A-Z0-9 ]*PUBLIC KEY/.test(text)) {
    return 'is a PEM or SSH2 public key, not the one-line OpenSSH form Azure takes (convert it with ssh-keygen -i -m PKCS8 -f <file>)';
  }
  if (text.includes('\n')) {
    return 'has several lines: give exactly one OpenSSH public key, on one line';
  }
  if (!/^(ssh-|ecdsa-|sk-)\S+\s+[A-Za-z0-9+/]+={0,2}(\s.*)?$/.test(text)) {
    return 'is not an OpenSSH public key of the form "<type> <base64> [comment]"';
  }
  let key: Sshpk.Key;
  try {
    key = loadSshpk().parseKey(text, 'ssh');
  } catch {
    return 'does not decode as an OpenSSH public key (truncated or corrupted base64, or a type that does not match the key)';
  }
  if (key.type === 'rsa') {
    return key.size >= 2048 ? undefined : `is an RSA key of ${key.size} bits; Azure requires at least 2048`;
  }
  if (key.type === 'ed25519') return undefined;
  const kind = key.type === 'ecdsa' ? 'an ECDSA' : key.type === 'dsa' ? 'a DSA' : `a ${key.type}`;
  return `is ${kind} key; Azure accepts only RSA (2048 bits or more) and Ed25519 keys`;
}
