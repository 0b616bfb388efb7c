// Checks that the README (and every other Markdown file) of a package links only to what a reader of
// the installed package can open: a relative link must name a file the package ships (by `npm pack
// --dry-run`, npm's own reading of package.json "files"), and a link into this repository on GitHub
// (for what is not packed, such as the examples) must name a file the repository has.
// Usage: node scripts/package-links.js [package-dir]   (default: this repository's root)
// Prints each broken link as `<file>: <link>: <why>` and exits 1 when there is one.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const MarkdownIt = require('markdown-it');

const repo = path.resolve(__dirname, '..');

/** Every link and image target in a Markdown text, as the Markdown parser reads it. */
function linkTargetsOf(markdown) {
  const targets = [];
  const visit = (tokens) => {
    for (const token of tokens ?? []) {
      if (token.type === 'link_open') targets.push(token.attrGet('href'));
      if (token.type === 'image') targets.push(token.attrGet('src'));
      visit(token.children);
    }
  };
  visit(new MarkdownIt({ html: true }).parse(markdown, {}));
  return targets;
}

/** `https://github.com/<owner>/<name>` of a package.json "repository", or undefined. */
function repositoryUrlOf(manifest) {
  const url = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
  const match = /github\.com[/:]([\w.-]+\/[\w.-]+?)(\.git)?\/?$/.exec(url ?? '');
  return match ? `https://github.com/${match[1]}` : undefined;
}

/** Whether `file` is in `files`, or is a directory that holds one of them. */
function holds(files, file) {
  const dir = `${file.replace(/\/$/, '')}/`;
  return files.has(file) || [...files].some((f) => f.startsWith(dir));
}

/**
 * The broken links of `markdownFile` (a path inside the package) with text `markdown`: relative links
 * to files not in `packedFiles`, and links into `repositoryUrl` to files not in `repositoryFiles`.
 */
function brokenLinks({ markdownFile, markdown, packedFiles, repositoryUrl, repositoryFiles }) {
  const broken = [];
  for (const target of linkTargetsOf(markdown)) {
    const url = /^[a-z][a-z0-9+.-]*:/i.test(target) ? new URL(target) : undefined;
    if (url) {
      const prefix = repositoryUrl && `${repositoryUrl}/`;
      if (!prefix || !target.startsWith(prefix)) continue; // somewhere else: not ours to check
      const match = /^(blob|tree|raw)\/[^/]+\/(.+)$/.exec(decodeURIComponent(url.pathname).slice(new URL(prefix).pathname.length));
      if (match && !holds(repositoryFiles, match[2].replace(/\/$/, ''))) {
        broken.push({ markdownFile, target, why: `the repository has no ${match[2]}` });
      }
      continue;
    }
    const file = decodeURIComponent(target.replace(/[#?].*$/, ''));
    if (file === '') continue; // an anchor in the same file
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(markdownFile), file));
    if (!holds(packedFiles, resolved)) {
      broken.push({
        markdownFile, target,
        why: `the package does not ship ${resolved}: add it to package.json "files", or link to the repository on GitHub`,
      });
    }
  }
  return broken;
}

function main(packageDir) {
  const manifest = require(path.join(packageDir, 'package.json'));
  const dryRun = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: packageDir, encoding: 'utf8' });
  const packedFiles = new Set(JSON.parse(dryRun)[0].files.map((f) => f.path));
  const repositoryFiles = new Set(execFileSync('git', ['ls-files'], { cwd: repo, encoding: 'utf8' }).split('\n').filter(Boolean));
  const markdownFiles = [...packedFiles].filter((f) => f.endsWith('.md'));
  if (!markdownFiles.includes('README.md')) throw new Error(`${manifest.name} ships no README.md`);
  const broken = markdownFiles.flatMap((markdownFile) => brokenLinks({
    markdownFile,
    markdown: fs.readFileSync(path.join(packageDir, markdownFile), 'utf8'),
    packedFiles,
    repositoryUrl: repositoryUrlOf(manifest),
    repositoryFiles,
  }));
  for (const { markdownFile, target, why } of broken) console.error(`${markdownFile}: ${target}: ${why}`);
  if (broken.length > 0) process.exit(1);
  console.log(`package links: every link in the ${markdownFiles.length} Markdown files of ${manifest.name} resolves`);
}

if (require.main === module) main(path.resolve(process.argv[2] ?? repo));

module.exports = { brokenLinks, linkTargetsOf, repositoryUrlOf };
