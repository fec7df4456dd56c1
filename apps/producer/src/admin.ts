import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { HooklineContext } from '@hookline/core';
import { HttpError } from './http-error';
import { Router, type Express, type RequestHandler } from 'express';
import { apiKeyCheck } from './auth';

export const ADMIN_PATH = '/admin/queues';

/**
 * The API keys, as a browser can present them: `Authorization: Bearer <key>` like the API, or
 * Basic auth with the key as the password (any user name). A refusal asks for Basic auth, so a
 * browser opening bull-board prompts for the key instead of showing a bare 401.
 */
function requireAdminKey(keys: readonly string[]): RequestHandler {
  const check = apiKeyCheck(keys);
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const bearer = /^Bearer +(\S+) *$/i.exec(header)?.[1];
    const basic = /^Basic +(\S+) *$/i.exec(header)?.[1];
    const password = basic
      ? Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':')
      : undefined;
    const presented = bearer ?? password;
    if (presented !== undefined && check(presented)) return next();
    res.set('WWW-Authenticate', 'Basic realm="hookline", charset="UTF-8"');
    next(
      new HttpError(
        401,
        'unauthorized',
        'a valid API key is required (Bearer, or Basic with the key as password)',
      ),
    );
  };
}

/**
 * bull-board's page holds buttons that retry, promote and remove jobs: a page of another origin
 * that frames it could click them for a signed-in operator, so no page may frame it. Its own
 * scripts and styles are bull-board's to list, so the policy says only that.
 */
const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy': "frame-ancestors 'none'",
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  next();
};

/**
 * bull-board on `/admin/queues`, for operators who know BullMQ, behind the same API keys: every
 * queue of every shard, each named by its hash tag (`{hookline:3}:deliveries`).
 */
export function adminRoutes(context: HooklineContext, keys: readonly string[]): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(ADMIN_PATH);
  createBullBoard({
    queues: context.queues
      .all()
      .map(({ queue }) => new BullMQAdapter(queue, { prefix: `${queue.opts.prefix ?? ''}:` })),
    serverAdapter,
  });
  // The adapter's router is an express app of its own, which would announce itself.
  const board = serverAdapter.getRouter() as Express;
  board.disable('x-powered-by');
  const router = Router();
  router.use(ADMIN_PATH, securityHeaders, requireAdminKey(keys), board);
  return router;
}
