/**
 * Tokens shared by every resource that needs the same Terraform expression: cdktf captures a stack trace for each
 * token it creates, so a fleet pays per expression, not per resource. The JSON is the same either way: each use
 * renders the whole expression.
 */
const tokens = new WeakMap<object, Map<string, string>>();

/** The token `make()` returns, made once per `owner` (a stack, a resource) and `key`. */
export function sharedToken(owner: object, key: string, make: () => string): string {
  const byKey = tokens.get(owner) ?? new Map<string, string>();
  tokens.set(owner, byKey);
  let token = byKey.get(key);
  if (token === undefined) {
    token = make();
    byKey.set(key, token);
  }
  return token;
}
