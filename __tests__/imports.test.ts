import * as fs from 'fs';
import * as path from 'path';

// The provider packages' root (lib/index.js) loads every resource class: ~3 s and ~420 MB per
// process for azurerm. Code must import by deep path, e.g. '@cdktf/provider-azurerm/lib/role-assignment'.
const ROOT = path.join(__dirname, '..');
const SCANNED = ['lib', 'examples', 'bench', 'scripts', '__tests__', 'main.ts'];
const SOURCE_FILE = /\.[cm]?[jt]s$/;

const ROOT_SPECIFIER = String.raw`@cdktf/provider-(?:azurerm|null)(?:/lib)?(?:/index(?:\.js)?)?/?`;
// `from '…'` (import, import type, export … from), `import '…'`, `import('…')`, `require('…')`.
const ROOT_IMPORT = new RegExp(String.raw`(?:\bfrom|\bimport|\bimport\s*\(|\brequire\s*\()\s*(['"\`])${ROOT_SPECIFIER}\1`, 'g');

/** Root imports of the provider packages in `source`, as `<line>: <text>`; commented-out lines are skipped. */
function rootImports(source: string): string[] {
  const lines = source.split('\n');
  const found: string[] = [];
  for (const match of source.matchAll(ROOT_IMPORT)) {
    const line = source.slice(0, match.index).split('\n').length;
    const text = lines[line - 1].trim();
    if (!/^(\/\/|\/\*|\*)/.test(text)) found.push(`${line}: ${text}`);
  }
  return found;
}

function sourceFiles(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!fs.existsSync(full)) return [];
  if (!fs.statSync(full).isDirectory()) return SOURCE_FILE.test(full) ? [full] : [];
  return fs.readdirSync(full)
    .filter((name) => name !== 'node_modules')
    .flatMap((name) => sourceFiles(path.join(entry, name)));
}

describe('provider imports', () => {
  // Built here so that this file's own samples are not root imports.
  const AZURERM = '@cdktf/provider-azurerm';
  const NULL = '@cdktf/provider-null';

  test.each([
    [`import { RoleAssignment } from '${AZURERM}';`],
    [`import type { roleAssignment } from "${AZURERM}/lib";`],
    [`import * as azurerm from '${AZURERM}/lib/index';`],
    [`export * from '${NULL}';`],
    [`import '${AZURERM}';`],
    [`const azurerm = require("${AZURERM}");`],
    [`const { roleAssignment } = require ( '${AZURERM}' );`],
    ['const azurerm = await import(`' + NULL + '`);'],
  ])('the detector flags a root import: %s', (source) => {
    expect(rootImports(source)).toEqual([expect.stringMatching(/^1: .*@cdktf\/provider-/)]);
  });

  test('the detector names the line of each root import', () => {
    // GIVEN a file with a multi-line root import and a later root require
    const source = `import { Fn } from 'cdktf';\nimport {\n  RoleAssignment,\n} from '${AZURERM}';\n\nrequire('${AZURERM}');\n`;
    // THEN both are reported at their lines
    expect(rootImports(source)).toEqual([`4: } from '${AZURERM}';`, `6: require('${AZURERM}');`]);
  });

  test.each([
    [`import { RoleAssignment } from '${AZURERM}/lib/role-assignment';`],
    [`import { Resource } from '${NULL}/lib/resource';`],
    [`const { RoleAssignment } = require('${AZURERM}/lib/role-assignment');`],
    [`// never: import { RoleAssignment } from '${AZURERM}';`],
    [` * e.g. import { RoleAssignment } from '${AZURERM}';`],
    ['/** Import by deep path, never the package root `@cdktf/provider-azurerm`. */'],
  ])('the detector passes a deep import or a comment: %s', (source) => {
    expect(rootImports(source)).toEqual([]);
  });

  test('no source file imports @cdktf/provider-azurerm or @cdktf/provider-null from the package root', () => {
    // GIVEN every source file of the project
    const files = SCANNED.flatMap(sourceFiles);
    expect(files).toContain(path.join(ROOT, 'lib', 'index.ts')); // the scan really reads the sources
    // WHEN scanned / THEN none imports a provider package's root
    const offenders = files.flatMap((file) =>
      rootImports(fs.readFileSync(file, 'utf8')).map((hit) => `${path.relative(ROOT, file)}:${hit}`));
    expect(offenders).toEqual([]);
  });
});
