// What the newer azurerm binding of the cdktn package changes for the resources this library emits:
// compares the TypeScript declarations of @cdktf/provider-azurerm (node_modules) and
// @cdktn/provider-azurerm (packages/cdktn/node_modules) for every resource and data source type in the
// schema fixture the tests validate against (__tests__/fixtures/provider-schemas.json), member by member
// (configuration properties, nested blocks, readable attributes), and prints what was added, removed
// or changed. Both bindings are generated from the provider's schema, so this is the schema diff
// between the two azurerm releases, for our types only. Informational: exits 0.
// Usage: node scripts/cdktn/compare-bindings.js
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const repo = path.resolve(__dirname, '../..');
const BINDINGS = {
  cdktf: path.join(repo, 'node_modules/@cdktf/provider-azurerm'),
  cdktn: path.join(repo, 'packages/cdktn/node_modules/@cdktn/provider-azurerm'),
};

/** The binding's folder of a Terraform type: azurerm_container_registry → container-registry (data: data-azurerm-...). */
function bindingDir(type, isDataSource) {
  const name = type.replace(/^azurerm_/, '').replaceAll('_', '-');
  return isDataSource ? `data-azurerm-${name}` : name;
}

/** Every exported interface and class member of a declaration file, as `Type.member: type` lines. */
function membersOf(file) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const lines = new Set();
  const normalize = (text) => text.replace(/\bcdktn\./g, 'cdktf.').replace(/\s+/g, ' ');
  for (const statement of source.statements) {
    if (!ts.isInterfaceDeclaration(statement) && !ts.isClassDeclaration(statement)) continue;
    const owner = statement.name?.text;
    for (const member of statement.members) {
      if (!member.name || !ts.isIdentifier(member.name) || member.name.text.startsWith('_')) continue;
      // The binding's own plumbing (protected fields, setters beside their getters) is not schema.
      if (member.modifiers?.some((m) => [ts.SyntaxKind.PrivateKeyword, ts.SyntaxKind.ProtectedKeyword].includes(m.kind))) continue;
      if (ts.isSetAccessorDeclaration(member)) continue;
      const optional = member.questionToken ? '?' : '';
      const type = member.type ? normalize(member.type.getText(source)) : '';
      lines.add(`${owner}.${member.name.text}${optional}: ${type}`);
    }
  }
  return lines;
}

function main() {
  const fixture = JSON.parse(fs.readFileSync(path.join(repo, '__tests__/fixtures/provider-schemas.json'), 'utf8'));
  const ours = (schemas) => Object.keys(schemas).filter((type) => type.startsWith('azurerm_'));
  const types = [
    ...ours(fixture.resource_schemas).map((type) => ({ type, isDataSource: false })),
    ...ours(fixture.data_source_schemas).map((type) => ({ type, isDataSource: true })),
  ];
  for (const { type, isDataSource } of types) {
    const label = `${isDataSource ? 'data ' : ''}${type}`;
    const files = Object.values(BINDINGS).map((binding) => path.join(binding, 'lib', bindingDir(type, isDataSource), 'index.d.ts'));
    const missing = files.filter((file) => !fs.existsSync(file));
    if (missing.length > 0) {
      console.log(`${label}: no binding at ${missing.map((file) => path.relative(repo, file)).join(', ')}`);
      continue;
    }
    const [before, after] = files.map(membersOf);
    const removed = [...before].filter((line) => !after.has(line));
    const added = [...after].filter((line) => !before.has(line));
    if (removed.length === 0 && added.length === 0) {
      console.log(`${label}: unchanged`);
      continue;
    }
    console.log(`${label}:`);
    for (const line of removed) console.log(`  - ${line}`);
    for (const line of added) console.log(`  + ${line}`);
  }
}

main();
