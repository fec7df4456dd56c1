import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HttpError } from './http-error';
import { Router, type RequestHandler } from 'express';

export const CONSOLE_PATH = '/console';

/**
 * Everything the console loads comes from this server: its own scripts and styles, and the API
 * on the same origin. No inline script or style, no other host. `frame-ancestors 'self'`: only
 * pages of the console's own origin may frame it, so a publisher who embeds the tenant portal
 * serves it through its own origin (a reverse proxy path); see apps/console/README.md.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

// Vite names every asset after its content hash, so a name never changes meaning.
const IMMUTABLE_MS = 365 * 24 * 3600 * 1000;
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/**
 * The console's build (`@hookline/console`'s `dist/`), found through the package as installed:
 * the workspace link in a checkout, the copied package in the Docker image. Undefined when the
 * package is not installed; a missing build is found when a request comes.
 */
export function consoleDir(): string | undefined {
  try {
    return path.join(path.dirname(require.resolve('@hookline/console/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

/** The name of the page's meta tag that hands the console `HOOKLINE_TRACE_URL`. */
export const TRACE_URL_META = 'hookline-trace-url';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '"': '&quot;',
  '<': '&lt;',
  '>': '&gt;',
  "'": '&#39;',
};

/**
 * The page with the console's settings in it: a meta tag the script reads at start. The page is
 * static and its policy allows no inline script, so a setting goes in as markup; the page is
 * read on every request anyway, and a tag costs no request of its own.
 */
export function withSettings(html: string, traceUrl: string | undefined): string {
  if (traceUrl === undefined) return html;
  const content = traceUrl.replace(/[&"<>']/g, (c) => HTML_ESCAPES[c]!);
  // A function, not a string: a replacement string would read `$&` in the URL as a pattern.
  return html.replace(
    '</head>',
    () => `<meta name="${TRACE_URL_META}" content="${content}" />\n</head>`,
  );
}

const notBuilt = () =>
  new HttpError(
    404,
    'not_found',
    'the console is not built: run `npm run build` (it writes apps/console/dist)',
  );

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy': CONSOLE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    // Error answers and anything else under /console: the page and its assets set their own.
    'Cache-Control': 'no-store',
  });
  next();
};

/**
 * The web console at `/console` (and `/console/`): its page, never cached so a new build is
 * picked up at once, and its hashed assets under `/console/assets/`, cached for good. The page
 * talks to the API on this origin like any client, with a key the user enters.
 */
export function consoleRoutes({
  dir = consoleDir(),
  traceUrl,
}: {
  dir?: string;
  /** `HOOKLINE_TRACE_URL`: where the console links a trace id (config.ts). */
  traceUrl?: string | undefined;
} = {}): Router {
  const router = Router();
  router.use(CONSOLE_PATH, securityHeaders);

  // Non-strict routing: this also answers `/console/`. The page is read on every request (it is
  // under a kilobyte) so a rebuild behind a running producer never serves a page whose assets
  // are gone.
  router.get(CONSOLE_PATH, async (_req, res) => {
    if (dir === undefined) throw notBuilt();
    const html = await readFile(path.join(dir, 'index.html'), 'utf8').catch(() => undefined);
    if (html === undefined) throw notBuilt();
    res.set('Cache-Control', 'no-cache').type('html').send(withSettings(html, traceUrl));
  });

  router.get(`${CONSOLE_PATH}/assets/:file`, (req, res, next) => {
    const file = req.params.file;
    if (dir === undefined || typeof file !== 'string' || !ASSET_NAME.test(file))
      return next(new HttpError(404, 'not_found', 'no such console asset'));
    res.sendFile(
      path.join(dir, 'assets', file),
      {
        maxAge: IMMUTABLE_MS,
        immutable: true,
        dotfiles: 'deny',
        headers: { 'Cache-Control': 'public, max-age=31536000, immutable' },
      },
      (error?: Error) => {
        if (error && !res.headersSent)
          next(new HttpError(404, 'not_found', 'no such console asset'));
      },
    );
  });

  return router;
}
