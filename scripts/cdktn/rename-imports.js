// The one change that turns this library's TypeScript into its CDK Terrain (cdktn) build: module
// specifiers of cdktf and its azurerm binding are renamed, nothing else. The TypeScript compiler finds
// the specifiers (import/export ... from, import x = require(), require(), import(), import('...').Type),
// so comments and strings that merely mention cdktf stay as they are.
const ts = require('typescript');

/** cdktf package (or package prefix) → its cdktn counterpart; a subpath keeps its layout. */
const CDKTN_RENAMES = {
  cdktf: 'cdktn',
  '@cdktf/provider-azurerm': '@cdktn/provider-azurerm',
};

/** Packages of the cdktf world that must not be left behind: any import of them is an error. */
const CDKTF_PACKAGE = /^(cdktf|cdktf-cli|@cdktf\/.+)$/;

/** The package name of a module specifier: `@scope/name` or `name`. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every module specifier literal in a source file. */
function moduleSpecifiers(sourceFile) {
  const found = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      found.push(node.moduleSpecifier);
    } else if (ts.isExternalModuleReference(node)) {
      found.push(node.expression);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      found.push(node.argument.literal);
    } else if (ts.isCallExpression(node) && node.arguments.length > 0
      && (node.expression.kind === ts.SyntaxKind.ImportKeyword
        || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      found.push(node.arguments[0]);
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) {
      found.push(node.name);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found.filter((literal) => ts.isStringLiteralLike(literal));
}

/**
 * Returns `text` (TypeScript source of `fileName`) with its module specifiers renamed by `renames`
 * (package → package). Throws when a specifier still names a cdktf package afterwards: a cdktf
 * package without a cdktn counterpart (such as @cdktf/provider-null), or a computed specifier.
 */
function renameImports(text, fileName, renames = CDKTN_RENAMES) {
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const problems = [];
  let result = '';
  let copiedUpTo = 0;
  for (const literal of moduleSpecifiers(sourceFile)) {
    const specifier = literal.text;
    const name = packageOf(specifier);
    const renamed = Object.hasOwn(renames, name) ? renames[name] + specifier.slice(name.length) : specifier;
    if (CDKTF_PACKAGE.test(packageOf(renamed))) {
      const { line } = sourceFile.getLineAndCharacterOfPosition(literal.getStart(sourceFile));
      problems.push(`${fileName}:${line + 1}: '${specifier}' has no cdktn counterpart`);
      continue;
    }
    if (renamed === specifier) continue;
    // Replace the text between the quotes, keeping the file's own quote style.
    const start = literal.getStart(sourceFile) + 1;
    result += text.slice(copiedUpTo, start) + renamed;
    copiedUpTo = literal.getEnd() - 1;
  }
  if (problems.length > 0) {
    throw new Error(`imports that the cdktn build cannot rename:\n${problems.join('\n')}`);
  }
  return result + text.slice(copiedUpTo);
}

module.exports = { CDKTN_RENAMES, renameImports, moduleSpecifiers };
