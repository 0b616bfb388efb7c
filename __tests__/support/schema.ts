/**
 * The offline stand-in for `terraform validate`: checks synthesized Terraform JSON against the
 * provider schemas cut into `__tests__/fixtures/provider-schemas.json` by `scripts/cut-schemas.js`.
 */
import * as fs from 'fs';
import * as path from 'path';

/** A type in `terraform providers schema -json`: "string", ["list", "string"], ["object", {...}]. */
type SchemaType = string | [string, SchemaType | Record<string, SchemaType>];

interface Attribute {
  readonly type: SchemaType;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
}

interface BlockType {
  readonly nesting_mode: 'single' | 'list' | 'set' | 'map';
  readonly min_items?: number;
  readonly max_items?: number;
  readonly block: Block;
}

interface Block {
  readonly attributes?: Record<string, Attribute>;
  readonly block_types?: Record<string, BlockType>;
}

interface Fixture {
  readonly provider_versions: Record<string, string>;
  readonly resource_schemas: Record<string, Block>;
  readonly data_source_schemas: Record<string, Block>;
}

const FIXTURE = 'provider-schemas.json';

/** The cut schemas, with the provider versions they came from. */
export const providerSchemas: Fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', FIXTURE), 'utf8'),
);

// Terraform's own arguments, valid on every resource / data block whatever its schema.
const META_ARGUMENTS = ['//', 'count', 'depends_on', 'for_each', 'lifecycle', 'provider'];
const RESOURCE_META_ARGUMENTS = [...META_ARGUMENTS, 'connection', 'provisioner'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * Returns every problem `terraform validate` would report on the `resource` and `data` blocks
 * of `json` (a parsed `cdk.tf.json`); empty when they are valid. Other top-level keys are ignored.
 */
export function validateTerraformJson(json: object): string[] {
  const problems: string[] = [];
  const config = json as JsonObject;
  const kinds = [
    ['resource', providerSchemas.resource_schemas, RESOURCE_META_ARGUMENTS],
    ['data', providerSchemas.data_source_schemas, META_ARGUMENTS],
  ] as const;
  for (const [kind, schemas, meta] of kinds) {
    for (const [type, blocks] of entries(config[kind])) {
      const schema = schemas[type];
      if (!schema) {
        problems.push(`${kind}.${type}: no schema for this ${kind === 'data' ? 'data source' : 'resource'} type in ` +
          `__tests__/fixtures/${FIXTURE}; add it to scripts/cut-schemas.js and run node scripts/cut-schemas.js`);
        continue;
      }
      for (const [name, body] of entries(blocks)) {
        validateBlock(`${kind}.${type}.${name}`, body, schema, meta, problems);
      }
    }
  }
  return problems;
}

/** Fails the test, listing every problem, when `synthJson` (from `Testing.synth`) is not valid. */
export function expectValidTerraform(synthJson: string): void {
  const problems = validateTerraformJson(JSON.parse(synthJson));
  if (problems.length > 0) {
    throw new Error(`The Terraform JSON does not fit the provider schemas:\n  ${problems.join('\n  ')}`);
  }
}

function validateBlock(where: string, body: Json, block: Block, meta: readonly string[], problems: string[]): void {
  if (!isObject(body)) {
    problems.push(`${where}: must be an object, got ${JSON.stringify(body)}`);
    return;
  }
  const attributes = block.attributes ?? {};
  const blockTypes = block.block_types ?? {};
  for (const [key, value] of Object.entries(body)) {
    const at = `${where}.${key}`;
    if (meta.includes(key) || value === null) continue;
    if (key === 'dynamic') {
      validateDynamic(at, value, blockTypes, problems);
    } else if (attributes[key]) {
      const attr = attributes[key];
      if (attr.computed && !attr.optional && !attr.required) {
        problems.push(`${at}: is computed by the provider and cannot be set`);
      } else {
        checkType(at, value, attr.type, problems);
      }
    } else if (blockTypes[key]) {
      validateNested(at, value, blockTypes[key], problems);
    } else {
      problems.push(`${at}: unknown argument or block (the schema has no "${key}")`);
    }
  }
  for (const [name, attr] of Object.entries(attributes)) {
    if (attr.required && (body[name] ?? null) === null) problems.push(`${where}: missing required argument "${name}"`);
  }
  for (const [name, bt] of Object.entries(blockTypes)) {
    const generated = isObject(body.dynamic) && name in body.dynamic;
    if ((bt.min_items ?? 0) > 0 && (body[name] ?? null) === null && !generated) {
      problems.push(`${where}: missing required block "${name}" (at least ${bt.min_items})`);
    }
  }
}

/** A nested block: one object or an array of objects (a map block: an object of labelled objects). */
function validateNested(where: string, value: Json, bt: BlockType, problems: string[]): void {
  const items: Array<[string, Json]> = bt.nesting_mode === 'map'
    ? entries(value).map(([label, item]) => [`${where}.${label}`, item])
    : (Array.isArray(value) ? value : [value]).map((item, i) => [`${where}[${i}]`, item]);
  if (bt.nesting_mode === 'map' && !isObject(value)) {
    problems.push(`${where}: must be an object of labelled blocks, got ${JSON.stringify(value)}`);
  }
  const max = bt.nesting_mode === 'single' ? 1 : bt.max_items;
  if (max !== undefined && items.length > max) {
    problems.push(`${where}: at most ${max} block(s) allowed, got ${items.length}`);
  }
  if (bt.min_items !== undefined && items.length < bt.min_items) {
    problems.push(`${where}: at least ${bt.min_items} block(s) required, got ${items.length}`);
  }
  for (const [at, item] of items) validateBlock(at, item, bt.block, [], problems);
}

/** `dynamic "<block>" { for_each, content }`: the content must fit the block's schema. */
function validateDynamic(where: string, value: Json, blockTypes: Record<string, BlockType>, problems: string[]): void {
  for (const [name, spec] of entries(value)) {
    const bt = blockTypes[name];
    if (!bt) problems.push(`${where}.${name}: no block "${name}" to generate`);
    else if (!isObject(spec) || !isObject(spec.content)) problems.push(`${where}.${name}: needs a "content" object`);
    else validateBlock(`${where}.${name}.content`, spec.content, bt.block, [], problems);
  }
}

/** Whether `value` converts to `type` the way Terraform converts literals; expressions pass. */
function checkType(where: string, value: Json, type: SchemaType, problems: string[]): void {
  if (value === null || isExpression(value) || type === 'dynamic') return;
  const fail = (expected: string) => problems.push(`${where}: expected ${expected}, got ${JSON.stringify(value)}`);
  if (typeof type === 'string') {
    if (!convertsToPrimitive(value, type)) fail(type);
    return;
  }
  const [kind, element] = type;
  if ((kind === 'list' || kind === 'set') && Array.isArray(value)) {
    value.forEach((item, i) => checkType(`${where}[${i}]`, item, element as SchemaType, problems));
  } else if (kind === 'map' && isObject(value)) {
    for (const [k, item] of Object.entries(value)) checkType(`${where}.${k}`, item, element as SchemaType, problems);
  } else if (kind === 'object' && isObject(value)) {
    const fields = element as Record<string, SchemaType>;
    for (const [k, item] of Object.entries(value)) {
      if (fields[k] === undefined) problems.push(`${where}.${k}: unknown object attribute`);
      else checkType(`${where}.${k}`, item, fields[k], problems);
    }
    for (const k of Object.keys(fields)) if (!(k in value)) problems.push(`${where}: missing object attribute "${k}"`);
  } else {
    fail(`a ${kind}`);
  }
}

// Terraform's automatic conversions: number and bool to string; "5" to number; "true"/"1" to bool.
function convertsToPrimitive(value: Json, type: string): boolean {
  switch (type) {
    case 'string': return ['string', 'number', 'boolean'].includes(typeof value);
    case 'number': return typeof value === 'number' || (typeof value === 'string' && /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value));
    case 'bool': return typeof value === 'boolean' || ['true', 'false', '1', '0'].includes(value as string);
    default: return false;
  }
}

/** A string Terraform evaluates as a template (`${...}` or `%{...}`): its type is known only at plan. */
function isExpression(value: Json): boolean {
  return typeof value === 'string' && /[$%]\{/.test(value);
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entries(value: Json | undefined): Array<[string, Json]> {
  return isObject(value) ? Object.entries(value) : [];
}
