import { Hookline } from '@hookline/client';
import { UsageError } from './errors';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** What `main.ts` read from the environment. */
export interface Env {
  /** `HOOKLINE_URL` */
  url?: string;
  /** `HOOKLINE_API_KEY` */
  apiKey?: string;
}

/** The options every API command takes; a flag wins over the environment. */
export interface GlobalOptions {
  url?: string;
  apiKey?: string;
  json?: boolean;
}

export function clientFor(options: GlobalOptions, env: Env): Hookline {
  const url = options.url ?? env.url ?? DEFAULT_URL;
  const apiKey = options.apiKey ?? env.apiKey;
  if (!apiKey) throw new UsageError('no API key: set HOOKLINE_API_KEY or pass --api-key');
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new UsageError(`${JSON.stringify(url)} is not an http(s) URL (HOOKLINE_URL or --url)`);
  }
  // One retry, not the library's two: someone is waiting at a terminal, and a producer that is
  // not there is usually not coming back within seconds.
  return new Hookline({ url, apiKey, retries: 1 });
}
