/**
 * Reads back what a synthesized stack gives a machine as custom data and user data: the text Terraform computes
 * at apply, with each reference known only then written as `${reference}`, and the stack's locals decoded.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */

const FORMAT = /^\$\{base64encode\(format\(base64decode\("([A-Za-z0-9+/]*=*)"\), (.*)\)\)\}$/s;
const LOCAL = /^\$\{local\.([A-Za-z0-9_-]+)\}$/;
const DECODED_LOCAL = /^base64decode\(local\.([A-Za-z0-9_-]+)\)$/;

/** The text of a base64 `custom_data`, `user_data` or `user_data_base64` value of the stack `json`. */
export function textOf(json: any, value: string): string {
  const local = LOCAL.exec(value);
  if (local) return localText(json, local[1]);
  const expression = FORMAT.exec(value);
  if (!expression) {
    expect(value).toMatch(/^[A-Za-z0-9+/]+=*$/);
    return Buffer.from(value, 'base64').toString('utf8');
  }
  const template = Buffer.from(expression[1], 'base64').toString('utf8');
  const args = expression[2].split(', ');
  let next = 0;
  const text = template.replace(/%%|%s/g, (verb) => {
    if (verb === '%%') return '%';
    const arg = args[next++];
    const payload = DECODED_LOCAL.exec(arg);
    if (payload) return localText(json, payload[1]);
    expect(arg).toMatch(/^[a-z_][\w.[\]]*$/); // a plain reference, nothing else
    return `\${${arg}}`;
  });
  expect(next).toBe(args.length);
  return text;
}

/** The text a stack local holds in base64. */
export function localText(json: any, name: string): string {
  const value = json.locals?.[name];
  expect(typeof value).toBe('string');
  return Buffer.from(value, 'base64').toString('utf8');
}

/** User data split at the `#acr-login-payload` line: the head's lines (with the marker) and the payload. */
export function userDataParts(text: string): { head: string[]; payload: string } {
  const marker = '#acr-login-payload\n';
  const at = text.indexOf(marker);
  expect(at).toBeGreaterThan(0);
  return { head: text.slice(0, at + marker.length).split('\n').filter((l) => l !== ''), payload: text.slice(at + marker.length) };
}

/** The `login ...` lines of user data. */
export function loginLines(text: string): string[] {
  return userDataParts(text).head.filter((l) => l.startsWith('login '));
}

/** The `key=value` settings of user data. */
export function settingsOf(text: string): Record<string, string> {
  return Object.fromEntries(userDataParts(text).head.filter((l) => /^[a-z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}
