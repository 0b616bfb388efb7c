#!/usr/bin/env bash
# Proves that the published artifact, not the source tree, works for a platform team:
# packs the library, checks the tarball, installs it into a scratch project outside the repository
# (offline: the peers and runtime dependencies are links into this repository's node_modules, and npm
# gets an empty cache, so any download fails), compiles a consumer stack with `tsc --strict` and
# skipLibCheck off, and synthesizes it.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
modules=$repo/node_modules
tsc=$modules/typescript/bin/tsc

work=$(mktemp -d "${TMPDIR:-/tmp}/consumer-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
case "$work/" in "$repo"/*) echo "scratch directory $work is inside the repository" >&2; exit 1 ;; esac

fail() { echo "consumer test: $*" >&2; exit 1; }

# 1. Build and pack (prepack would build again: the build above is the one checked).
npm run --silent build
tarball=$work/$(npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)
[ -s "$tarball" ] || fail "npm pack produced no tarball"

# 2. The tarball holds the compiled library, its declarations and maps, README, LICENSE and CHANGELOG:
#    nothing else (no tests, examples, snapshots, fixtures or TypeScript sources).
tar -tzf "$tarball" | sed 's|^package/||' | sort > "$work/files.txt"
unexpected=$(grep -Ev '^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist/.+\.(js|js\.map|d\.ts|d\.ts\.map)|vm/[a-z-]+\.(sh|service|timer))$' "$work/files.txt" || true)
[ -z "$unexpected" ] || fail "unexpected files in the tarball:"$'\n'"$unexpected"
forbidden=$(grep -E '__tests__|(^|/)examples/|__snapshots__|\.snap$|fixtures|(^|/)scripts/|\.test\.|(^|[^d])\.ts$|\.tsbuildinfo$' "$work/files.txt" || true)
[ -z "$forbidden" ] || fail "tests, examples, snapshots, fixtures or sources in the tarball:"$'\n'"$forbidden"
for required in package.json README.md LICENSE CHANGELOG.md dist/index.js dist/index.d.ts \
  vm/acr-bootstrap.sh vm/acr-login.service vm/acr-login.timer vm/acr-login.sh vm/install-bootstrap.sh; do
  grep -qxF "$required" "$work/files.txt" || fail "$required is missing from the tarball"
done
while read -r js; do
  for companion in "${js%.js}.d.ts" "$js.map"; do
    grep -qxF "$companion" "$work/files.txt" || fail "$js has no $companion in the tarball"
  done
done < <(grep -E '^dist/.+\.js$' "$work/files.txt")
echo "tarball: $(wc -l < "$work/files.txt") files, $(du -k "$tarball" | cut -f1) KiB, contents as expected"

mkdir "$work/extracted"
tar -xzf "$tarball" -C "$work/extracted"
pkg=$work/extracted/package

# 3. No public declaration or module refers to the repository: absolute paths, the sources, the tests.
leaks=$(grep -rnE --include='*.d.ts' --include='*.js' \
  -e "$repo" -e '/work/' -e '\.\./lib([/"'"'"']|$)' -e '__tests__' -e '(^|["'"'"'/])examples/' "$pkg/dist" || true)
[ -z "$leaks" ] || fail "the packed code refers to the repository:"$'\n'"$leaks"

# 4. Every file package.json names exists, and every package the packed code imports is declared: a runtime dependency or a required peer
#    (an optional peer or a devDependency would break `npm install` for consumers).
(cd "$pkg" && node - <<'EOF'
const fs = require('fs');
const path = require('path');
const { builtinModules } = require('module');
const pkg = require('./package.json');
const optional = Object.keys(pkg.peerDependenciesMeta ?? {}).filter((n) => pkg.peerDependenciesMeta[n].optional);
const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]
  .filter((n) => !optional.includes(n)));
const files = (dir) => fs.readdirSync(dir, { withFileTypes: true })
  .flatMap((e) => e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]);
const specifier = /(?:require\(|from |import\()\s*["']((?:@[\w.-]+\/)?[\w-][\w.-]*(?:\/[\w./-]*)?)["']/g;
const problems = [];
for (const file of files('dist').filter((f) => /\.(js|d\.ts)$/.test(f))) {
  for (const [, spec] of fs.readFileSync(file, 'utf8').matchAll(specifier)) {
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
    if (builtinModules.includes(name.replace(/^node:/, ''))) continue;
    if (!declared.has(name)) problems.push(`${file} imports '${spec}', but ${name} is not a dependency or required peer`);
  }
}
// Every file that main, types and the exports map name is in the package.
const targets = (value) => typeof value === 'string' ? [value] : Object.values(value ?? {}).flatMap(targets);
for (const target of [pkg.main, pkg.types, ...targets(pkg.exports)]) {
  if (!target || !fs.existsSync(target)) problems.push(`package.json names ${target}, which is not in the package`);
}
if (problems.length) { console.error(problems.join('\n')); process.exit(1); }
EOF
) || fail "the packed package.json or code refers to missing files or undeclared packages"

# 5. A scratch consumer project outside the repository. Offline: every dependency is either the tarball
#    or a directory of this repository's install (npm links directories); the empty cache makes any
#    attempt to download fail (ENOTCACHED) instead of silently using the network.
consumer=$work/consumer
mkdir -p "$consumer/src"
cat > "$consumer/package.json" <<'EOF'
{ "name": "platform-team-stacks", "version": "1.0.0", "private": true, "license": "UNLICENSED" }
EOF
runtime_deps=$(node -p "Object.keys(require('$pkg/package.json').dependencies ?? {}).join(' ')")
links=()
for dep in cdktf constructs @cdktf/provider-azurerm @types/node $runtime_deps; do
  [ -d "$modules/$dep" ] || fail "$dep is not installed in $modules (run npm ci)"
  links+=("$modules/$dep")
done
(cd "$consumer" && npm install --offline --cache "$work/npm-cache" --no-audit --no-fund --ignore-scripts \
  --loglevel=error "$tarball" "${links[@]}" >/dev/null) || fail "offline install of the tarball failed"
installed=$consumer/node_modules/cdktf-azure-acr-identity
if [ -L "$installed" ] || [ ! -f "$installed/dist/index.js" ]; then fail "the library was not installed from the tarball"; fi
# The on-VM files (vm/) are read at render time, relative to the compiled code.
(cd "$consumer" && node -e "
const v = require('$installed/dist/private/vm-scripts');
if (!v.bootstrapCloudConfig().includes('/usr/local/sbin/acr-bootstrap') || !v.loginPayload().startsWith('#!/usr/bin/env bash')) process.exit(1);
") || fail "the installed library does not render the bootstrap from its vm/ folder"

# A consumer stack that uses the public API the way the README does.
cat > "$consumer/src/main.ts" <<'EOF'
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Aspects, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { Construct } from 'constructs';
import {
  AzureSecurityChecks, ContainerRegistry, DockerVirtualMachine, Grant, IContainerRegistry, IUserAssignedIdentity, PrincipalType,
  RegistryRole, RegistrySku, UserAssignedIdentity, ValidationError, ValidationProblem,
} from 'cdktf-azure-acr-identity';

const SSH_PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINCVhhVze96H1EnEytNE4vwE15jvMQ+ib+e0zGOpbtjz consumer-test';
const SUBSCRIPTION = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sharedRg/providers';

class PullFromAcr extends TerraformStack {
  public readonly grants: Grant[];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    const registry: IContainerRegistry = ContainerRegistry.fromLookup(this, 'Registry', {
      registryName: 'myContainerRegistry', resourceGroupName: 'myResourceGroup',
    });
    const shared = ContainerRegistry.fromRegistryAttributes(this, 'SharedRegistry', {
      registryId: `${SUBSCRIPTION}/Microsoft.ContainerRegistry/registries/sharedRegistry`,
    });
    const own = new ContainerRegistry(this, 'OwnRegistry', {
      name: 'platformteamregistry', resourceGroupName: 'myResourceGroup', location: 'eastus', sku: RegistrySku.STANDARD,
    });
    const identity = new UserAssignedIdentity(this, 'AcrIdentity', {
      name: 'myACRId', resourceGroupName: 'myResourceGroup', location: 'eastus',
    });
    const ciIdentity: IUserAssignedIdentity = UserAssignedIdentity.fromIdentityAttributes(this, 'CiIdentity', {
      identityId: `${SUBSCRIPTION}/Microsoft.ManagedIdentity/userAssignedIdentities/ci`,
      principalId: '11111111-1111-1111-1111-111111111111',
      clientId: '22222222-2222-2222-2222-222222222222',
    });
    assert.equal(ciIdentity.principalType, PrincipalType.SERVICE_PRINCIPAL);
    const vm = new DockerVirtualMachine(this, 'DockerVm', {
      name: 'myDockerVM', resourceGroupName: 'myResourceGroup', location: 'eastus',
      sshPublicKey: SSH_PUBLIC_KEY, userAssignedIdentities: [identity],
    });
    this.grants = [
      registry.grantPull(identity),
      shared.grant(ciIdentity, RegistryRole.ACR_PULL),
      own.grantPush(ciIdentity),
    ];
    vm.pullImages(registry, ['aci-helloworld:v1']);
    Aspects.of(this).add(new AzureSecurityChecks());
  }
}

const outdir = process.argv[2];
const app = new App({ outdir });
const stack = new PullFromAcr(app, 'pull-from-acr');

// Bad input fails at synth with the library's error type, naming property, value and fix.
const bad = new TerraformStack(app, 'bad-input');
assert.throws(
  () => new UserAssignedIdentity(bad, 'Bad', { name: '-x', resourceGroupName: 'myResourceGroup', location: 'eastus' }),
  (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    const problem: ValidationProblem | undefined = error.problems.find((p) => p.property === 'name');
    assert.ok(problem, error.message);
    assert.equal(problem.value, '-x');
    assert.match(error.message, /bad-input\/Bad/);
    return true;
  },
);

app.synth();
const synthesized = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'pull-from-acr', 'cdk.tf.json'), 'utf8'));
const resources = synthesized.resource ?? {};
const assignments = Object.values(resources.azurerm_role_assignment ?? {}) as Array<Record<string, string>>;
const vms = Object.values(resources.azurerm_linux_virtual_machine ?? {});
assert.equal(assignments.length, 3, 'one role assignment per grant');
// Azure's built-in role definition GUIDs (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
const ACR_PULL = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
const ACR_PUSH = '8311e382-0749-4cb8-b61a-304f252e45ec';
const roleOf = (a: Record<string, string>) => [ACR_PULL, ACR_PUSH].find((guid) => a.role_definition_id?.includes(guid));
assert.deepEqual(assignments.map(roleOf).sort(), [ACR_PULL, ACR_PULL, ACR_PUSH].sort());
assert.deepEqual(stack.grants.map((g) => g.role.roleName), ['AcrPull', 'AcrPull', 'AcrPush']);
assert.ok(assignments.some((a) => /azurerm_user_assigned_identity\.\S+\.principal_id/.test(a.principal_id)),
  'a grant goes to the new identity\'s principal ID');
assert.ok(assignments.some((a) => a.scope === `${SUBSCRIPTION}/Microsoft.ContainerRegistry/registries/sharedRegistry`),
  'a grant is scoped to the imported registry');
assert.equal(vms.length, 1, 'one VM');
assert.ok(synthesized.data?.azurerm_container_registry, 'the looked-up registry is a data source');
console.log(`consumer stack synthesized: ${assignments.length} role assignments, ${vms.length} VM`);
EOF

cat > "$consumer/tsconfig.json" <<'EOF'
{
  "compilerOptions": {
    "strict": true,
    "skipLibCheck": false,
    "target": "ES2022",
    "lib": ["ES2022"],
    "module": "node16",
    "moduleResolution": "node16",
    "types": ["node"],
    "noEmitOnError": true,
    "rootDir": "src",
    "outDir": "out"
  },
  "include": ["src"]
}
EOF

# 6. Compile with the package's `exports` (node16 resolution, `types` condition) and with the legacy
#    `main`/`types` fields (node10 resolution), then run the stack and import the package as ES module.
(cd "$consumer" && "$tsc" -p tsconfig.json) || fail "the consumer stack does not compile against the package (node16 resolution)"
(cd "$consumer" && "$tsc" -p tsconfig.json --module commonjs --moduleResolution node10 --noEmit) \
  || fail "the consumer stack does not compile against the package (node10 resolution: main/types)"
(cd "$consumer" && CHECKPOINT_DISABLE=1 node out/main.js "$work/cdktf.out") || fail "the consumer stack failed to synthesize"
(cd "$consumer" && node --input-type=module -e "
  import { ContainerRegistry, DockerVirtualMachine, ValidationError } from 'cdktf-azure-acr-identity';
  import { createRequire } from 'node:module';
  const require = createRequire(process.cwd() + '/');
  for (const f of [ContainerRegistry, DockerVirtualMachine, ValidationError]) if (typeof f !== 'function') throw new Error('ESM named import failed');
  if (require('cdktf-azure-acr-identity/package.json').name !== 'cdktf-azure-acr-identity') throw new Error('./package.json is not exported');
  let blocked = false;
  try { require('cdktf-azure-acr-identity/dist/registry'); } catch (e) { blocked = e.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED'; }
  if (!blocked) throw new Error('internal modules are importable: the exports map does not encapsulate dist/');
") || fail "the package's exports map is broken"
echo "consumer test passed"
