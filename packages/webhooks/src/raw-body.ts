import type { IncomingMessage } from 'node:http';

/** The body, or `too_large` as soon as more than `limitBytes` arrived. */
export type RawBody = { ok: true; body: Buffer } | { ok: false; error: 'too_large' };

/**
 * Reads a request's bytes exactly as sent. Past the limit it stops reading and pauses
 * the stream instead of destroying it, so the caller can still answer 413.
 */
export function readRawBody(req: IncomingMessage, limitBytes: number): Promise<RawBody> {
  const declared = Number(req.headers['content-length']);
  if (declared > limitBytes) {
    req.pause();
    return Promise.resolve({ ok: false, error: 'too_large' });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        req.pause();
        resolve({ ok: false, error: 'too_large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ ok: true, body: Buffer.concat(chunks, size) });
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    // 'close' without 'end' first: the client went away mid-body.
    const onClose = (): void => onError(new Error('request closed before its body ended'));
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
