import { Fn, Token, Tokenization } from 'cdktf';

/** What one unresolved token is assumed to grow to at apply (a GUID is 36 bytes, a login server ~30-60). */
export const TOKEN_SIZE_ESTIMATE_BYTES = 64;

type Part = { readonly literal: string } | { readonly token: string };

/**
 * The base64 value of a text for `azurerm_linux_virtual_machine.custom_data` or `user_data`.
 *
 * Without tokens: a literal. With tokens (client ID, registry name, login server known only at apply):
 * `base64encode(format(base64decode("<template>"), <token>, ...))`, the template being the text with `%`
 * doubled and `%s` for each token. It travels as base64, so quotes, backslashes, `${` and `%{` in it need
 * no escaping (cdktf's Fn.base64encode refuses quotes, Fn.rawString does not escape backslashes or `%{`),
 * and it takes three tokens per value, not one per part: cdktf records a stack trace for each token.
 */
export function terraformBase64(text: string): string {
  if (!Token.isUnresolved(text)) return base64(text);
  const parts = partsOf(text);
  const template = parts.map((part) => ('token' in part ? '%s' : part.literal.replace(/%/g, '%%'))).join('');
  const tokens = parts.flatMap((part) => ('token' in part ? [part.token] : []));
  return Fn.base64encode(Fn.format(Fn.base64decode(base64(template)), tokens));
}

/** Size in bytes of the text once its tokens resolve, each token estimated. */
export function estimatedBytes(text: string): number {
  return partsOf(text).reduce(
    (bytes, part) => bytes + ('token' in part ? TOKEN_SIZE_ESTIMATE_BYTES : Buffer.byteLength(part.literal, 'utf8')),
    0,
  );
}

/** The text split into literal and token parts, in order. */
function partsOf(text: string): Part[] {
  const parts: Part[] = [];
  let rest = text;
  // reverseString finds the tokens; the text between their (cached, stable) string forms is literal.
  for (const token of Tokenization.reverseString(text).tokens) {
    const marker = Token.asString(token);
    const at = rest.indexOf(marker);
    if (at < 0) throw new Error(`terraformBase64: token ${marker} not found in the text`);
    if (at > 0) parts.push({ literal: rest.slice(0, at) });
    parts.push({ token: marker });
    rest = rest.slice(at + marker.length);
  }
  if (rest.length > 0) parts.push({ literal: rest });
  return parts;
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
