import { gunzipSync } from 'zlib';

/**
 * Finds credentials in VM custom data or user data. The value is decoded first: Azure takes it
 * base64-encoded, cloud-init also accepts gzip, and `write_files` entries may be base64 again.
 * Parts that are Terraform expressions (`${...}`) are unknown at synth; the literal text around
 * them is still scanned. Returns what was found, never the secret itself.
 */
export function findSecrets(value: string): string[] {
  const found = new Set<string>();
  for (const text of decodedTexts(value)) {
    for (const { kind, pattern } of PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        const key = match.groups?.key;
        const secret = match.groups?.value;
        if (secret !== undefined && NOT_A_SECRET.test(secret)) continue;
        found.add(key ? `${kind} (${key})` : kind);
      }
    }
  }
  return [...found];
}

const PATTERNS: Array<{ kind: string; pattern: RegExp }> = [
  { kind: 'a private key (-----BEGIN ... PRIVATE KEY-----)', pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/g },
  { kind: 'a storage account key (AccountKey=)', pattern: /AccountKey=[A-Za-z0-9+/]{20,}/gi },
  { kind: 'a shared access key (SharedAccessKey=)', pattern: /SharedAccessKey=[A-Za-z0-9+/]{20,}/gi },
  { kind: 'a SAS token signature (sig=)', pattern: /[?&]sig=[A-Za-z0-9%+/]{20,}/g },
  { kind: 'a password in a URL (scheme://user:password@host)', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"]+:(?<value>[^\s/@'"$]{3,})@/gi },
  {
    // `password=...`, `DB_PASSWORD: ...`, `"client_secret": "..."`, `api_key=...`: a literal value only.
    kind: 'a credential assignment',
    pattern: /(?<![A-Za-z0-9])(?<key>[A-Za-z0-9_.-]*?(?:password|passwd|secret|api[_-]?key|access[_-]?key|account[_-]?key|private[_-]?key|token))\\?["']?[ \t]*[:=][ \t]*\\?["']?(?<value>[^\s"'`$<>{}()[\],;\\]{4,})/gi,
  },
  { kind: 'a password on a command line', pattern: /(?<key>--password|--client-secret|--secret)(?:=|[ \t]+)["']?(?<value>[^\s"'$-][^\s"'\\]{2,})/gi },
  { kind: 'a password on a login command line (-p)', pattern: /\blogin\b[^\n]*?[ \t]-p[ \t]+["']?(?<value>[^\s"'$-][^\s"'\\]{2,})/gi },
];

/** Values that configure rather than authenticate: `lock_passwd: true`, `PasswordAuthentication: no`. */
const NOT_A_SECRET = /^(true|false|yes|no|on|off|null|none|nil|undefined|\*+)$/i;

const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}$/;
const BASE64_RUN = /[A-Za-z0-9+/]{32,}={0,2}/g;

/** The value, its base64/gzip decoding, and decodings of base64 runs inside them (two levels). */
function decodedTexts(value: string): string[] {
  const texts = [value];
  const add = (text: string | undefined) => {
    if (text !== undefined && !texts.includes(text)) texts.push(text);
  };
  const trimmed = value.trim();
  if (!trimmed.includes('${') && BASE64.test(trimmed)) {
    add(decode(trimmed));
  }
  for (let level = 0, from = 0; level < 2; level++) {
    const to = texts.length;
    for (const text of texts.slice(from, to)) {
      for (const [run] of text.matchAll(BASE64_RUN)) {
        add(decode(run));
      }
    }
    from = to;
  }
  return texts;
}

/** Base64 to text, gunzipped when gzip; undefined when the bytes are not text (a key, an image). */
function decode(base64: string): string | undefined {
  let bytes = Buffer.from(base64, 'base64');
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      return undefined;
    }
  }
  const text = bytes.toString('utf8');
  const printable = text.replace(/[^\t\n\r\x20-\x7e\u00a0-\uffff]/g, '').replace(/\ufffd/g, '');
  return text.length > 0 && printable.length / text.length > 0.95 ? text : undefined;
}
