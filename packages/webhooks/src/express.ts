import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { WebhookVerificationError, type VerificationFailure } from './errors';
import { readRawBody } from './raw-body';
import type { WebhookEvent } from './schemas';
import { decodeSecret } from './secret';
import { verify } from './signature';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- express's own augmentation point
  namespace Express {
    interface Request {
      /** The verified event, set by `verifyWebhook`. */
      webhook?: WebhookEvent;
      /** The body's exact bytes, set by `verifyWebhook`. */
      rawBody?: Buffer;
    }
  }
}

export interface VerifyWebhookOptions {
  /** The endpoint's secret, or every secret in use during a rotation. */
  secret: string | readonly string[];
  /** How far `webhook-timestamp` may be from now, either way, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** The largest body accepted; a larger one is answered 413. Default 1 MiB. */
  limitBytes?: number;
  /** The current time in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * An express middleware that verifies a Hookline delivery, sets `req.webhook` and
 * `req.rawBody`, and calls `next()`. It reads the body itself, so mount it before
 * `express.json()` (after `express.raw()` is fine). It answers 400 `invalid_webhook`
 * for malformed requests, 401 `invalid_signature` for a wrong signature or a timestamp
 * outside the tolerance, and 413 `payload_too_large` past `limitBytes`.
 *
 * @throws InvalidSecretError at once for a malformed secret, and RangeError for a
 * negative tolerance or limit, so a bad configuration fails at start rather than on
 * the first delivery.
 */
export function verifyWebhook({
  secret,
  toleranceSeconds = 300,
  limitBytes = 1024 * 1024,
  now = Date.now,
}: VerifyWebhookOptions): RequestHandler {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) {
    throw new RangeError('verifyWebhook needs at least one secret');
  }
  for (const s of secrets) {
    decodeSecret(s);
  }
  if (!(toleranceSeconds >= 0)) {
    throw new RangeError(`toleranceSeconds is 0 or more, not ${toleranceSeconds}`);
  }
  if (!(limitBytes > 0)) {
    throw new RangeError(`limitBytes is more than 0, not ${limitBytes}`);
  }

  const handle = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const body = await rawBodyOf(req, res, limitBytes);
    if (body === undefined) {
      return;
    }
    try {
      req.webhook = verify(body, req.headers, secrets, { toleranceSeconds, now });
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) {
        throw error;
      }
      const status = statusFor(error.reason);
      const code = status === 401 ? 'invalid_signature' : 'invalid_webhook';
      res.status(status).json({ error: { code, message: error.message, reason: error.reason } });
      return;
    }
    req.rawBody = body;
    next();
  };
  // Express 4 ignores a returned promise, so rejections are routed to next() by hand.
  return (req, res, next) => {
    handle(req, res, next).catch(next);
  };
}

/** The raw body, or undefined once an error has been answered. */
async function rawBodyOf(
  req: Request,
  res: Response,
  limitBytes: number,
): Promise<Buffer | undefined> {
  const parsed: unknown = req.body;
  if (Buffer.isBuffer(parsed)) {
    if (parsed.length <= limitBytes) {
      return parsed;
    }
    tooLarge(res, limitBytes);
    return undefined;
  }
  if (req.readableEnded) {
    res.status(500).json({
      error: {
        code: 'body_already_parsed',
        message:
          'verifyWebhook needs the raw body: mount it before express.json(), express.text() or express.urlencoded() (after express.raw() is fine)',
      },
    });
    return undefined;
  }
  const read = await readRawBody(req, limitBytes);
  if (!read.ok) {
    tooLarge(res, limitBytes);
    return undefined;
  }
  return read.body;
}

function tooLarge(res: Response, limitBytes: number): void {
  // The rest of the body is left unread, so the connection cannot be reused.
  res.set('Connection', 'close');
  res.status(413).json({
    error: { code: 'payload_too_large', message: `webhook body is over ${limitBytes} bytes` },
  });
}

function statusFor(reason: VerificationFailure): 400 | 401 {
  switch (reason) {
    case 'missing_header':
    case 'invalid_timestamp':
    case 'invalid_signature_header':
    case 'invalid_payload':
      return 400;
    case 'timestamp_too_old':
    case 'timestamp_too_new':
    case 'no_matching_signature':
      return 401;
    default: {
      const unhandled: never = reason;
      throw new Error(`unhandled verification failure: ${String(unhandled)}`);
    }
  }
}
