import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// What the producer's Content-Security-Policy requires of the build: nothing inline, nothing
// from another host. (The browser tests also watch for refusals; this names the culprit.)
const DIST = path.join(__dirname, '..', 'dist');

describe('the console build', () => {
  const html = readFileSync(path.join(DIST, 'index.html'), 'utf8');

  test('its page has no inline script or style and loads everything from /console/assets/', () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
    const urls = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThanOrEqual(2);
    for (const url of urls) expect(url).toMatch(/^\/console\/assets\/[\w.-]+$/);
  });

  test('its assets name no other host', () => {
    for (const file of readdirSync(path.join(DIST, 'assets'))) {
      if (!/\.(js|css)$/.test(file)) continue;
      const text = readFileSync(path.join(DIST, 'assets', file), 'utf8');
      // Namespace URIs (SVG, XHTML) are names, and example.com (RFC 2606) a placeholder.
      const hosts = [...text.matchAll(/https?:\/\/[\w.-]+/g)]
        .map((m) => m[0])
        .filter((u) => !/^https?:\/\/(www\.w3\.org|example\.com)$/.test(u));
      expect({ file, hosts }).toEqual({ file, hosts: [] });
    }
  });
});
