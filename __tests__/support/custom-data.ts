/**
 * Decodes a synthesized `custom_data` value back to the cloud-config text.
 *
 * A literal is plain base64. With tokens it is `${base64encode(join("", [base64decode("<b64>"), <expr>, ...]))}`:
 * literal parts are decoded and each Terraform expression is kept as `${<expr>}`, as Terraform would
 * interpolate it at apply.
 */
export function decodeCustomData(value: string): string {
  const expression = /^\$\{base64encode\(join\("", \[(.*)\]\)\)\}$/s.exec(value);
  if (!expression) {
    expect(value).toMatch(/^[A-Za-z0-9+/]+=*$/);
    return Buffer.from(value, 'base64').toString('utf8');
  }
  return expression[1]
    .split(', ')
    .map((part) => {
      const literal = /^base64decode\("([A-Za-z0-9+/]*=*)"\)$/.exec(part);
      return literal ? Buffer.from(literal[1], 'base64').toString('utf8') : `\${${part}}`;
    })
    .join('');
}
