// Compares what the cdktf and the cdktn package synthesize for the same consumer app: every stack's
// cdk.tf.json must be equal, apart from the differences listed in EXPLAINED (each with its reason).
// Prints every difference, explained or not; exits 1 on an unexplained one.
// Usage: node scripts/cdktn/compare-synth.js <cdktf outdir> <cdktn outdir>
const fs = require('fs');
const path = require('path');
const { isDeepStrictEqual } = require('util');

const repo = path.resolve(__dirname, '../..');

/**
 * Differences the two targets are expected to have, and why. `path` is the JSON path in cdk.tf.json
 * (keys joined by '.'); `expected(a, b, versions)` says whether the cdktf value `a` and the cdktn
 * value `b` are the explained ones.
 */
const EXPLAINED = [
  {
    path: /^\/\/\.metadata\.version$/,
    expected: (a, b, v) => a === v.cdktf && b === v.cdktn,
    reason: 'the framework that synthesized the stack records its own version',
  },
  {
    path: /^terraform\.required_providers\.azurerm\.version$/,
    expected: (a, b, v) => a === v.azurermOfCdktf && b === v.azurermOfCdktn,
    reason: 'each provider binding pins the hashicorp/azurerm release it was generated from',
  },
  {
    path: /^terraform\.backend\.local\.path$/,
    expected: (a, b) => typeof a === 'string' && typeof b === 'string' && path.basename(a) === path.basename(b),
    reason: 'the local state file lies in the consumer project\'s directory, and the two scratch projects differ',
  },
];

/** Every leaf where `a` and `b` differ, as { path, a, b } (a value missing on one side is undefined). */
function differences(a, b, at = []) {
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object'
    && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) return isDeepStrictEqual(a, b) ? [] : [{ path: at.join('.'), a, b }];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((key) => differences(a[key], b[key], [...at, key]));
}

/** The differences between two synthesized stacks, each with the reason that explains it, if one does. */
function compareStacks(cdktfJson, cdktnJson, versions) {
  return differences(cdktfJson, cdktnJson).map((difference) => {
    const rule = EXPLAINED.find((r) => r.path.test(difference.path) && r.expected(difference.a, difference.b, versions));
    return { ...difference, reason: rule?.reason };
  });
}

/** The installed versions the explained differences are judged against. */
function installedVersions() {
  const manifest = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const boundAzurerm = (dir) => { const m = manifest(dir); return (m.cdktf ?? m.cdktn).provider.version; };
  const cdktnModules = path.join(repo, 'packages/cdktn/node_modules');
  return {
    cdktf: manifest(path.join(repo, 'node_modules/cdktf')).version,
    cdktn: manifest(path.join(cdktnModules, 'cdktn')).version,
    azurermOfCdktf: boundAzurerm(path.join(repo, 'node_modules/@cdktf/provider-azurerm')),
    azurermOfCdktn: boundAzurerm(path.join(cdktnModules, '@cdktn/provider-azurerm')),
  };
}

function main([cdktfOut, cdktnOut]) {
  if (!cdktfOut || !cdktnOut) throw new Error('usage: compare-synth.js <cdktf outdir> <cdktn outdir>');
  const stacksOf = (outdir) => fs.readdirSync(path.join(outdir, 'stacks')).sort();
  const stacks = stacksOf(cdktfOut);
  if (!isDeepStrictEqual(stacks, stacksOf(cdktnOut))) {
    throw new Error(`the targets synthesized different stacks: ${stacks} and ${stacksOf(cdktnOut)}`);
  }
  const versions = installedVersions();
  const read = (outdir, stack) => JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
  let unexplained = 0;
  for (const stack of stacks) {
    const found = compareStacks(read(cdktfOut, stack), read(cdktnOut, stack), versions);
    console.log(`${stack}: ${found.length} difference(s) between cdktf and cdktn`);
    for (const { path: at, a, b, reason } of found) {
      console.log(`  ${at}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}\n    ${reason ?? 'UNEXPLAINED'}`);
      if (!reason) unexplained += 1;
    }
  }
  if (unexplained > 0) throw new Error(`${unexplained} unexplained difference(s) between the cdktf and the cdktn synth`);
  console.log('cdktf and cdktn synthesize the same Terraform, apart from the explained differences above');
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(`compare-synth: ${error.message}`);
    process.exit(1);
  }
}

module.exports = { compareStacks, EXPLAINED };
