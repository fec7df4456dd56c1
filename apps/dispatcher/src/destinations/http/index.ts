import type { Destination } from '../destination';
import { sendAuthenticated } from './authenticated-send';
import { OAuth2Tokens, type OAuth2TokensOptions } from './oauth2-tokens';
import { attemptResult } from './outcome';
import { HOOKLINE_VERSION } from '@hookline/core';
import { signedHeaders } from '../signed-headers';
import { createSender, type SenderOptions } from './sender';
import { httpSpan } from './span';

const USER_AGENT = `Hookline/${HOOKLINE_VERSION}`;

export interface HttpDestinationOptions {
  sender: SenderOptions;
  tokens: OAuth2TokensOptions;
  now: () => number;
}

/**
 * Webhooks over HTTP: a POST of the event's JSON, signed (Standard Webhooks), over undici's
 * keep-alive pools, authenticated as the endpoint asks (a client certificate, an OAuth 2.0 token).
 */
export function createHttpDestination(options: HttpDestinationOptions): Destination {
  const sender = createSender(options.sender);
  const tokens = new OAuth2Tokens(options.tokens);
  return {
    type: 'http',
    span: (endpoint) => httpSpan(endpoint.url),
    async attempt(input) {
      const headers = signedHeaders(input);
      headers['content-type'] = 'application/json';
      headers['user-agent'] = USER_AGENT;
      const outcome = await sendAuthenticated(
        sender,
        tokens,
        input.endpoint,
        { ...headers, ...input.trace },
        input.body,
      );
      return attemptResult(outcome, options.now());
    },
    forget(endpointId) {
      // Its client certificate's connections close, and its token is read again (from Redis: a
      // new revision of its auth names another token).
      sender.forget(endpointId);
      tokens.forget(endpointId);
    },
    async close() {
      await sender.close().catch(() => undefined);
      await tokens.close().catch(() => undefined);
    },
  };
}
