import { DefaultTokenResolver, StringConcat, TerraformResource, TerraformStack, Tokenization } from 'cdktf';

/** A resource's arguments as Terraform will see them: snake_case keys, references as `${...}` strings. */
export type Config = Record<string, unknown>;

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/**
 * The arguments of a resource as synthesized, escape-hatch overrides (`addOverride`) included.
 * The provider classes' getters cannot be used: they return references (`${azurerm_x.y.attr}`)
 * for every optional-computed attribute, whatever the user set.
 */
export function synthesizedConfig(resource: TerraformResource): Config | undefined {
  const block = resource.toTerraform()?.resource?.[resource.terraformResourceType]?.[resource.friendlyUniqueId];
  if (!block) return undefined; // moved away (`moveTo`): nothing is planned at this address
  const resolved = Tokenization.resolve(block, { scope: TerraformStack.of(resource), resolver: RESOLVER }) as Config;
  delete resolved['//'];
  return resolved;
}

/** A value known only at apply time: a Terraform expression such as `${var.x}`. */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.includes('${');
}

/** A string set in the configuration (not an expression, not empty), else undefined. */
export function literalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && !isExpression(value) ? value : undefined;
}

/** A boolean set in the configuration (`true`, or `"true"` from an override), else undefined. */
export function literalBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}

/** True when an argument is set: a literal or an expression, not null or empty. */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** The literal strings of an argument that takes a string or a list of strings; expressions are skipped. */
export function literalStrings(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values.map(literalString).filter((v): v is string => v !== undefined);
}

/**
 * The items of a nested block (`ip_configuration`, `security_rule`...), or undefined when they are
 * unknown at synth: built by a `dynamic` block or given as an expression.
 */
export function blocks(config: Config, name: string): Config[] | undefined {
  const dynamic = config.dynamic as Config | undefined;
  if (dynamic && dynamic[name] !== undefined) return undefined;
  const value = config[name];
  if (value === undefined || value === null) return [];
  if (isExpression(value)) return undefined;
  const items = Array.isArray(value) ? value : [value];
  return items.filter((item): item is Config => typeof item === 'object' && item !== null);
}

/** True when `value` references the resource `<type>.<name>` (e.g. `${azurerm_subnet.app.id}`). */
export function refersTo(value: unknown, type: string, name: string): boolean {
  return typeof value === 'string' && (value.includes(`${type}.${name}.`) || value.includes(`${type}.${name}[`));
}
