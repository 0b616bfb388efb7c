/**
 * Decodes a synthesized `custom_data` or `user_data` value back to its text.
 *
 * A literal is plain base64. With tokens it is `${base64encode(format(base64decode("<template>"), <expr>, ...))}`:
 * the template is decoded, `%%` becomes `%`, and each `%s` becomes `${<expr>}`, the Terraform expression
 * Terraform interpolates at apply.
 */
export function decodeTerraformBase64(value: string): string {
  const expression = /^\$\{base64encode\(format\(base64decode\("([A-Za-z0-9+/]*=*)"\), (.*)\)\)\}$/s.exec(value);
  if (!expression) {
    expect(value).toMatch(/^[A-Za-z0-9+/]+=*$/);
    return Buffer.from(value, 'base64').toString('utf8');
  }
  const template = Buffer.from(expression[1], 'base64').toString('utf8');
  const tokens = expression[2].split(', ');
  for (const token of tokens) expect(token).toMatch(/^[a-z_][\w.[\]]*$/); // a plain reference, nothing else
  let next = 0;
  const text = template.replace(/%%|%s/g, (verb) => (verb === '%%' ? '%' : `\${${tokens[next++]}}`));
  expect(next).toBe(tokens.length);
  return text;
}
