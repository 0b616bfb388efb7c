#!/usr/bin/env bash
# Fails when the committed API.md is not what `npm run docs` generates from the doc comments now,
# or when a public class, property or method has no doc comment (TypeDoc's notDocumented validation).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if ! npx typedoc --out "$out"; then
  echo "docs:check: TypeDoc failed: every public class, property, method and enum member needs a doc comment (see above)" >&2
  exit 1
fi
generated=$(cd "$out" && find . -type f | sort)
[ "$generated" = "./API.md" ] || { echo "docs:check: typedoc wrote more than API.md:"$'\n'"$generated" >&2; exit 1; }
if ! diff -u API.md "$out/API.md"; then
  echo "docs:check: API.md is out of date with the doc comments in lib/: run 'npm run docs' and commit API.md" >&2
  exit 1
fi
echo "docs:check: API.md is current"
