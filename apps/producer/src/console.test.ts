import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@hookline/core';
import express from 'express';
import request from 'supertest';
import { CONSOLE_CSP, consoleRoutes, TRACE_URL_META } from './console';
import { errorHandler, unknownRoute } from './errors';

interface ErrorBody {
  error: { code: string; message: string };
}

function appWith(dir: string, traceUrl?: string) {
  const app = express();
  app.use(consoleRoutes({ dir, traceUrl }));
  app.use(unknownRoute);
  app.use(errorHandler({ logger: createLogger('silent', 'console-test'), redisReady: () => true }));
  return app;
}

let built: string;
beforeAll(() => {
  built = mkdtempSync(path.join(tmpdir(), 'hookline-console-'));
  mkdirSync(path.join(built, 'assets'));
  writeFileSync(
    path.join(built, 'index.html'),
    '<!doctype html><html><head><title>console</title></head><body></body></html>',
  );
  writeFileSync(path.join(built, 'assets', 'index-AbC123.js'), 'console.log(1)');
});
afterAll(() => rmSync(built, { recursive: true, force: true }));

describe('the console', () => {
  test.each(['/console', '/console/'])(
    '%s is the page, never cached, under a strict policy',
    async (url) => {
      const res = await request(appWith(built)).get(url);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('<title>console</title>');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    },
  );

  test('the policy allows only this origin, no inline script, and framing by this origin only', () => {
    expect(CONSOLE_CSP).toContain("default-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'self'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe|\*|https?:/);
  });

  test('a hashed asset is cached for a year, immutable', async () => {
    const res = await request(appWith(built)).get('/console/assets/index-AbC123.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
  });

  test.each([
    '/console/assets/missing.js',
    '/console/assets/..%2Findex.html',
    '/console/assets/.hidden',
    '/console/assets/%2e%2e%2f%2e%2e%2fpackage.json',
  ])('%s is a 404 JSON error', async (url) => {
    const res = await request(appWith(built)).get(url);
    expect(res.status).toBe(404);
    expect((res.body as ErrorBody).error.code).toBe('not_found');
  });

  test('without a build, /console is a 404 JSON error that says how to make one', async () => {
    const res = await request(appWith('/nonexistent/hookline-console-dist')).get('/console');
    expect(res.status).toBe(404);
    const { error } = res.body as ErrorBody;
    expect(error.code).toBe('not_found');
    expect(error.message).toMatch(/console is not built.*npm run build/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  test('without HOOKLINE_TRACE_URL the page has no trace link setting', async () => {
    const res = await request(appWith(built)).get('/console');
    expect(res.text).not.toContain(TRACE_URL_META);
  });

  test('HOOKLINE_TRACE_URL is in the page as a meta tag, escaped as an attribute', async () => {
    const template = 'https://jaeger.example/trace/{trace_id}?a=1&b="x"<y>$&';
    const res = await request(appWith(built, template)).get('/console');
    expect(res.status).toBe(200);
    expect(res.text).toContain(
      `<meta name="${TRACE_URL_META}" content="https://jaeger.example/trace/{trace_id}?a=1&amp;b=&quot;x&quot;&lt;y&gt;$&amp;" />\n</head>`,
    );
    expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
  });
});
