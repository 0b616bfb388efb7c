import * as sshpk from 'sshpk';

/** What Azure accepts for Linux VM SSH keys: RSA of at least 2048 bits, or Ed25519. */
export function sshPublicKeyProblem(publicKey: string): string | undefined {
  const text = publicKey.trim();
  if (/PRIVATE KEY/.test(text)) {
    return 'is a PRIVATE key: it must never be put in Terraform (the JSON and the state are readable)';
  }
  if (!/^(ssh-rsa|ssh-ed25519|ecdsa-sha2-\S+|ssh-dss)\s+[A-Za-z0-9+/=]+(\s.*)?$/.test(text)) {
    return 'is not an OpenSSH public key of the form "<type> <base64> [comment]"';
  }
  let key: sshpk.Key;
  try {
    key = sshpk.parseKey(text, 'ssh');
  } catch {
    return 'does not decode as an OpenSSH public key (truncated or corrupted base64)';
  }
  if (key.type === 'rsa') {
    return key.size >= 2048 ? undefined : `is an RSA key of ${key.size} bits; Azure requires at least 2048`;
  }
  if (key.type === 'ed25519') return undefined;
  return `is a ${key.type} key; Azure accepts only RSA (2048 bits or more) and Ed25519 keys`;
}
