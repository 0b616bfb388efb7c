// Which modules a process has loaded, grouped by package, for the module-load comparison.

/** A loaded file's package: `@scope/name` or `name` under node_modules, else `(own)`. */
export function packageOf(file: string): string {
  const at = file.lastIndexOf('/node_modules/');
  if (at < 0) return '(own)';
  const [first, second] = file.slice(at + '/node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

/** The deep provider module a file belongs to, e.g. `@cdktf/provider-azurerm/lib/role-assignment`. */
export function providerModuleOf(file: string): string | undefined {
  const match = /\/node_modules\/(@cdktf\/provider-[^/]+\/lib\/[^/]+)\//.exec(file);
  return match?.[1];
}

/** The files this process has loaded (CommonJS cache). */
export function loadedModules(): string[] {
  return Object.keys(require.cache);
}
