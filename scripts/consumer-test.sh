#!/usr/bin/env bash
# Proves that the published artifact, not the source tree, works for a platform team:
# packs the library, checks the tarball, installs it into a scratch project outside the repository
# (offline: the peers and runtime dependencies are links into this repository's installs, and npm
# gets an empty cache, so any download fails), compiles a consumer stack with `tsc --strict` and
# skipLibCheck off, and synthesizes it.
# Usage: scripts/consumer-test.sh [TARGET [SYNTH_DIR]]
#   TARGET    cdktf (default): the package built from lib/ with `npm run build`, peers from node_modules;
#             cdktn: the CDK Terrain package (scripts/cdktn/build.js), peers from packages/cdktn/node_modules
#             (`npm ci --prefix packages/cdktn`), and the consumer stack's imports renamed as for lib/
#   SYNTH_DIR where to keep the synthesized app (SYNTH_DIR/cdktf.out) and the tarball's file list
#             (SYNTH_DIR/package-files.txt), for comparing the targets (scripts/package-test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
modules=$repo/node_modules
tsc=$modules/typescript/bin/tsc
target=${1:-cdktf}
synth_dir=${2:-}

fail() { echo "consumer test ($target): $*" >&2; exit 1; }

case "$target" in
  cdktf) package_dir=$repo; peers_home=$repo ;;
  cdktn) package_dir=$repo/packages/cdktn/build; peers_home=$repo/packages/cdktn ;;
  *) fail "unknown target: use cdktf or cdktn" ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/consumer-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
case "$work/" in "$repo"/*) echo "scratch directory $work is inside the repository" >&2; exit 1 ;; esac

# 1. Build and pack (prepack would build again: the build above is the one checked).
if [ "$target" = cdktn ]; then node scripts/cdktn/build.js; else npm run --silent build; fi
tarball=$work/$(cd "$package_dir" && npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)
[ -s "$tarball" ] || fail "npm pack produced no tarball"
name=$(node -p "require('$package_dir/package.json').name")

# 2. The tarball holds the compiled library, its declarations and maps, the on-VM files the library reads
#    at render time (vm/), README, LICENSE, CHANGELOG and the documents the README links to (API.md, docs/):
#    nothing else (no tests, examples, snapshots, fixtures or TypeScript sources).
tar -tzf "$tarball" | sed 's|^package/||' | sort > "$work/files.txt"
unexpected=$(grep -Ev '^(package\.json|README\.md|LICENSE|CHANGELOG\.md|API\.md|docs/.+\.md|vm/[^/]+|dist/.+\.(js|js\.map|d\.ts|d\.ts\.map))$' "$work/files.txt" || true)
[ -z "$unexpected" ] || fail "unexpected files in the tarball:"$'\n'"$unexpected"
forbidden=$(grep -E '__tests__|(^|/)examples/|__snapshots__|\.snap$|fixtures|(^|/)scripts/|\.test\.|(^|[^d])\.ts$|\.tsbuildinfo$' "$work/files.txt" || true)
[ -z "$forbidden" ] || fail "tests, examples, snapshots, fixtures or sources in the tarball:"$'\n'"$forbidden"
for required in package.json README.md LICENSE CHANGELOG.md dist/index.js dist/index.d.ts \
  vm/acr-bootstrap.sh vm/acr-login.service vm/acr-login.timer vm/acr-bootstrap.cloud-config.yaml vm/acr-login.sh \
  vm/install-bootstrap.sh; do
  grep -qxF "$required" "$work/files.txt" || fail "$required is missing from the tarball"
done
while read -r js; do
  for companion in "${js%.js}.d.ts" "$js.map"; do
    grep -qxF "$companion" "$work/files.txt" || fail "$js has no $companion in the tarball"
  done
done < <(grep -E '^dist/.+\.js$' "$work/files.txt")
echo "tarball $(basename "$tarball"): $(wc -l < "$work/files.txt") files, $(du -k "$tarball" | cut -f1) KiB, contents as expected"

mkdir "$work/extracted"
tar -xzf "$tarball" -C "$work/extracted"
pkg=$work/extracted/package

# Every link in the packed README and docs opens a file the package ships, or one the repository has.
node scripts/package-links.js "$pkg" || fail "the packed README or docs link to files a reader of the package cannot open"

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
# The project declares the "overrides" of the peers' install, as the README's install for the target does.
node -e "
  const overrides = require('$peers_home/package.json').overrides;
  const project = { name: 'platform-team-stacks', version: '1.0.0', private: true, license: 'UNLICENSED', overrides };
  require('fs').writeFileSync('$consumer/package.json', JSON.stringify(project, null, 2));
"
# The required peers come from the target's install; @types/node and the runtime dependencies from the root's.
peers=$(node -p "const p = require('$pkg/package.json');
  Object.keys(p.peerDependencies ?? {}).filter((n) => !p.peerDependenciesMeta?.[n]?.optional).join(' ')")
runtime_deps=$(node -p "Object.keys(require('$pkg/package.json').dependencies ?? {}).join(' ')")
links=()
for dep in $peers; do
  [ -d "$peers_home/node_modules/$dep" ] || fail "$dep is not installed in $peers_home/node_modules (run npm ci there)"
  links+=("$peers_home/node_modules/$dep")
done
for dep in @types/node $runtime_deps; do
  [ -d "$modules/$dep" ] || fail "$dep is not installed in $modules (run npm ci)"
  links+=("$modules/$dep")
done
(cd "$consumer" && npm install --offline --cache "$work/npm-cache" --no-audit --no-fund --ignore-scripts \
  --loglevel=error "$tarball" "${links[@]}" >/dev/null) || fail "offline install of the tarball failed"
installed=$consumer/node_modules/$name
if [ -L "$installed" ] || [ ! -f "$installed/dist/index.js" ]; then fail "the library was not installed from the tarball"; fi
# The on-VM files (vm/) are read at render time, relative to the compiled code.
(cd "$consumer" && node -e "
const v = require('$installed/dist/private/vm-scripts');
if (!v.bootstrapCloudConfig().includes('/usr/local/sbin/acr-bootstrap') || !v.loginPayload().startsWith('#!/usr/bin/env bash')) process.exit(1);
") || fail "the installed library does not render the bootstrap from its vm/ folder"

# A consumer app that uses the public API the way the README does: the tutorial's Example 1 (a
# user-assigned identity; with registries looked up, imported and created) and Example 2 (the VM's
# system-assigned identity), the policy checks and their testing aid, and a refusal of bad input.
cat > "$consumer/src/main.ts" <<'EOF'
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Aspects, TerraformOutput, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import {
  AzureSecurityChecks, ContainerRegistry, DockerVirtualMachine, Grant, IContainerRegistry, IUserAssignedIdentity, PrincipalType,
  RegistryRole, RegistrySku, UserAssignedIdentity, ValidationError, ValidationProblem, assertNoSecurityFindings, securityFindingsOf,
} from 'cdktf-azure-acr-identity';

const SSH_PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINCVhhVze96H1EnEytNE4vwE15jvMQ+ib+e0zGOpbtjz consumer-test';
const SUBSCRIPTION = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sharedRg/providers';
const PUBLIC_IP_SUPPRESSION = { id: 'AZ-NET-003', reason: 'the team SSHes to the VM on its public IP to verify the pull' };

/** Example 1: the VM pulls with a user-assigned identity. */
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
    vm.pullImages(registry, ['aci-helloworld:v1'], { identity });
    new TerraformOutput(this, 'identity_client_id', { value: identity.clientId });
    Aspects.of(this).add(new AzureSecurityChecks());
  }
}

/** Example 2: the VM pulls with its own system-assigned identity, from a registry the stack creates. */
class PullWithVmIdentity extends TerraformStack {
  constructor(scope: Construct, id: string, props: { suppressPublicIp: boolean }) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    const group = new ResourceGroup(this, 'ResourceGroup', { name: 'myResourceGroup', location: 'eastus' });
    const registry = new ContainerRegistry(this, 'Registry', {
      name: 'mycontainerregistry2', resourceGroupName: group.name, location: group.location,
    });
    const vm = new DockerVirtualMachine(this, 'DockerVm', {
      name: 'myDockerVM', resourceGroupName: group.name, location: group.location, sshPublicKey: SSH_PUBLIC_KEY,
      sshSourceAddressPrefixes: ['203.0.113.4/32'], associatePublicIpAddress: true, systemAssignedIdentity: true,
    });
    if (props.suppressPublicIp) AzureSecurityChecks.suppress(vm, [PUBLIC_IP_SUPPRESSION]);
    registry.grantPull(vm);
    vm.pullImages(registry, ['aci-helloworld:v1']);
    new TerraformOutput(this, 'vm_principal_id', { value: vm.principalId });
    new TerraformOutput(this, 'ssh_command', { value: `ssh azureuser@${vm.publicIpAddress}` });
    Aspects.of(this).add(new AzureSecurityChecks());
  }
}

const outdir = process.argv[2];
const app = new App({ outdir });
const stack = new PullFromAcr(app, 'pull-from-acr');
const example2 = new PullWithVmIdentity(app, 'pull-with-vm-identity', { suppressPublicIp: true });

// The testing aid: neither stack has an error finding (what app.synth() refuses); the public IP is a
// finding (a warning) only where it is not suppressed.
assertNoSecurityFindings(stack, { includeWarnings: false });
assertNoSecurityFindings(example2, { includeWarnings: false });
const unsuppressed = new PullWithVmIdentity(new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'findings')) }), 'unsuppressed',
  { suppressPublicIp: false });
const ruleIdsOf = (s: TerraformStack) => securityFindingsOf(s).map((f) => f.ruleId);
assert.ok(ruleIdsOf(unsuppressed).includes('AZ-NET-003'), `AZ-NET-003 expected in ${ruleIdsOf(unsuppressed)}`);
assert.ok(!ruleIdsOf(example2).includes('AZ-NET-003'), 'the suppression covers AZ-NET-003');
assert.throws(() => assertNoSecurityFindings(unsuppressed), /unsuppressed finding\(s\) in stack 'unsuppressed':\n.*\[AZ-NET-003\]/s);

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
const synthesized = (id: string) => JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8'));
const example1 = synthesized('pull-from-acr');
const resources = example1.resource ?? {};
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
assert.ok(example1.data?.azurerm_container_registry, 'the looked-up registry is a data source');

const example2Resources = synthesized('pull-with-vm-identity').resource ?? {};
const [vm2] = Object.values(example2Resources.azurerm_linux_virtual_machine ?? {}) as Array<{ identity: { type: string } }>;
assert.equal(vm2.identity.type, 'SystemAssigned');
const [grant2] = Object.values(example2Resources.azurerm_role_assignment ?? {}) as Array<Record<string, string>>;
assert.match(grant2.principal_id, /azurerm_linux_virtual_machine\.\S+\.identity\[0\]\.principal_id/, 'Example 2 grants to the VM\'s own identity');
assert.ok(example2Resources.azurerm_public_ip, 'Example 2 has a public IP');
console.log(`consumer app synthesized: Example 1 with ${assignments.length} role assignments and ${vms.length} VM, Example 2 with the VM's own identity`);
EOF
# The cdktn package's consumer writes the same app with cdktn's package names.
if [ "$target" = cdktn ]; then
  node -e "
    const fs = require('fs');
    const { CDKTN_RENAMES, renameImports } = require('./scripts/cdktn/rename-imports');
    const file = '$consumer/src/main.ts';
    fs.writeFileSync(file, renameImports(fs.readFileSync(file, 'utf8'), file, { ...CDKTN_RENAMES, 'cdktf-azure-acr-identity': '$name' }));
  "
fi

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
  import { ContainerRegistry, DockerVirtualMachine, ValidationError } from '$name';
  import { createRequire } from 'node:module';
  const require = createRequire(process.cwd() + '/');
  for (const f of [ContainerRegistry, DockerVirtualMachine, ValidationError]) if (typeof f !== 'function') throw new Error('ESM named import failed');
  if (require('$name/package.json').name !== '$name') throw new Error('./package.json is not exported');
  let blocked = false;
  try { require('$name/dist/registry'); } catch (e) { blocked = e.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED'; }
  if (!blocked) throw new Error('internal modules are importable: the exports map does not encapsulate dist/');
") || fail "the package's exports map is broken"

if [ -n "$synth_dir" ]; then
  mkdir -p "$synth_dir"
  cp -r "$work/cdktf.out" "$synth_dir/"
  cp "$work/files.txt" "$synth_dir/package-files.txt"
fi
echo "consumer test ($target, $name) passed"
