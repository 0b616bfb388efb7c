#!/usr/bin/env bash
# Both published packages, from the same lib/: cdktf-azure-acr-identity (cdktf) and cdktn-azure-acr-identity
# (CDK Terrain). Installs the cdktn peers (packages/cdktn, npm ci), runs the consumer test for each target
# (build, strict type-check, pack, offline install in a scratch project, compile and synthesize the
# tutorial's two examples), then checks that the two tarballs hold the same files and that the two
# synthesized apps are the same Terraform apart from the differences scripts/cdktn/compare-synth.js explains;
# prints what the newer azurerm binding changes for the types the library emits (scripts/cdktn/compare-bindings.js).
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp -d "${TMPDIR:-/tmp}/package-test.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail() { echo "package test: $*" >&2; exit 1; }

start=$SECONDS
npm ci --prefix packages/cdktn --no-audit --no-fund --loglevel=error >/dev/null || fail "npm ci of the cdktn peers failed"
echo "cdktn peers installed in $((SECONDS - start)) s ($(du -sh packages/cdktn/node_modules | cut -f1))"

bash scripts/consumer-test.sh cdktf "$out/cdktf"
bash scripts/consumer-test.sh cdktn "$out/cdktn"

diff -u "$out/cdktf/package-files.txt" "$out/cdktn/package-files.txt" \
  || fail "the cdktf and cdktn tarballs hold different files: scripts/cdktn/build.js misses something the cdktf build ships"
echo "both tarballs hold the same $(wc -l < "$out/cdktf/package-files.txt") files"
node scripts/cdktn/compare-synth.js "$out/cdktf/cdktf.out" "$out/cdktn/cdktf.out"
echo "the two azurerm bindings, compared for every type in the schema fixture (informational; see docs/cdktn-migration.md):"
node scripts/cdktn/compare-bindings.js | sed 's/^/  /'
echo "package test passed: cdktf and cdktn packages in $((SECONDS - start)) s"
