/**
 * The multipart MIME archive that combines a team's cloud-init with the login's bootstrap, built by nodemailer in a
 * worker thread while synth waits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildMultipartArchive } from '../lib/private/cloud-init-user-data';

const dir = mkdtempSync(join(tmpdir(), 'mime-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Parts no other test builds, so the in-process cache cannot answer for the worker. */
function uniqueParts(tag: string) {
  return [{ contentType: 'text/cloud-config', filename: 'part', text: `#cloud-config\nruncmd: [[echo, ${tag}]]\n` }];
}

describe('buildMultipartArchive', () => {
  it('reports a MIME builder that fails to load at once, with its error, rather than after the 30 s wait', () => {
    // GIVEN a builder module that throws when required (a broken install)
    const broken = join(dir, 'broken-mime-node.js');
    writeFileSync(broken, "throw new Error('mime-node is broken');\n");
    // WHEN / THEN
    const started = Date.now();
    expect(() => buildMultipartArchive(uniqueParts('broken'), broken))
      .toThrow('buildMultipartArchive: nodemailer did not build the archive: Error: mime-node is broken');
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 40_000);

  it('reports a builder that throws while building, with its error', () => {
    const throwing = join(dir, 'throwing-mime-node.js');
    writeFileSync(throwing, "module.exports = class { constructor() { throw new TypeError('no MIME today'); } };\n");
    expect(() => buildMultipartArchive(uniqueParts('throwing'), throwing))
      .toThrow('buildMultipartArchive: nodemailer did not build the archive: TypeError: no MIME today');
  }, 40_000);

  it('builds with nodemailer\'s builder: a MIME message with the part, the same text every time', () => {
    const archive = buildMultipartArchive(uniqueParts('working'));
    expect(archive).toMatch(/^Content-Type: multipart\/mixed;/);
    expect(archive).toContain('MIME-Version: 1.0');
    expect(archive).toContain('runcmd: [[echo, working]]');
    expect(buildMultipartArchive(uniqueParts('working'))).toBe(archive);
  });
});
