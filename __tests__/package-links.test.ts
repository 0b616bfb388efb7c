import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';

interface BrokenLink { markdownFile: string; target: string; why: string }
interface PackageLinks {
  brokenLinks(input: {
    markdownFile: string; markdown: string; packedFiles: Set<string>; repositoryUrl?: string; repositoryFiles: Set<string>;
  }): BrokenLink[];
  repositoryUrlOf(manifest: { repository?: string | { url?: string } }): string | undefined;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { brokenLinks, repositoryUrlOf } = require('../scripts/package-links') as PackageLinks;

const ROOT = path.join(__dirname, '..');
const REPO_URL = 'https://github.com/example/library';

function check(markdown: string, markdownFile = 'README.md'): BrokenLink[] {
  return brokenLinks({
    markdownFile,
    markdown,
    packedFiles: new Set(['README.md', 'API.md', 'docs/policy-rules.md', 'dist/index.js']),
    repositoryUrl: REPO_URL,
    repositoryFiles: new Set(['README.md', 'examples/user-assigned/stack.ts', 'examples/tutorial.ts']),
  });
}

describe('package links', () => {
  test('every link in the README and docs of this package, as `npm pack --dry-run` lists it, resolves', () => {
    // GIVEN this repository's package.json "files", README and docs
    // WHEN the check reads the dry run's file list
    const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts/package-links.js'), ROOT], { encoding: 'utf8' });
    // THEN it finds nothing broken
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^package links: every link in the \d+ Markdown files of cdktf-azure-acr-identity resolves/);
  });

  test('the dry run ships what the README links to: the API reference and the policy rules', () => {
    const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    const files = (JSON.parse(json) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'API.md', 'CHANGELOG.md', 'LICENSE', 'docs/policy-rules.md']));
  });

  test('accepts links to packed files, anchors, directories of packed files, repository files and other sites', () => {
    expect(check([
      '[API](API.md) [rules](docs/policy-rules.md#az-acr-001) [top](#quick-start) [docs](docs/)',
      `[example](${REPO_URL}/blob/main/examples/user-assigned/stack.ts) [examples](${REPO_URL}/tree/main/examples)`,
      '[cdktf](https://github.com/hashicorp/terraform-cdk) ![logo](https://example.com/logo.png)',
    ].join('\n'))).toEqual([]);
    // relative to the Markdown file's own folder
    expect(check('[readme](../README.md)', 'docs/policy-rules.md')).toEqual([]);
  });

  test('reports a relative link to a file the package does not ship, with the fix', () => {
    expect(check('See [the example](examples/user-assigned/stack.ts) and [API](API.md).')).toEqual([{
      markdownFile: 'README.md',
      target: 'examples/user-assigned/stack.ts',
      why: 'the package does not ship examples/user-assigned/stack.ts: add it to package.json "files", or link to the repository on GitHub',
    }]);
  });

  test('reports reference-style links and images too', () => {
    const found = check('[migration][m] ![diagram](docs/diagram.png)\n\n[m]: docs/cdktn-migration.md\n');
    expect(found.map((f) => f.target)).toEqual(['docs/cdktn-migration.md', 'docs/diagram.png']);
  });

  test('reports a link into the repository to a file the repository does not have', () => {
    expect(check(`[gone](${REPO_URL}/blob/main/examples/removed.ts)`)).toEqual([{
      markdownFile: 'README.md', target: `${REPO_URL}/blob/main/examples/removed.ts`, why: 'the repository has no examples/removed.ts',
    }]);
  });

  test('reads the GitHub URL from package.json "repository"', () => {
    expect(repositoryUrlOf({ repository: { url: 'git+https://github.com/example/library.git' } })).toBe(REPO_URL);
    expect(repositoryUrlOf({ repository: 'git@github.com:example/library.git' })).toBe(REPO_URL);
    expect(repositoryUrlOf({})).toBeUndefined();
  });
});
