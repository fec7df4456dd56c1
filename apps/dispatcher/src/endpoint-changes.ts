import { duplicateRedis, type HooklineContext, type Logger } from '@hookline/core';
import type { EndpointCache } from './endpoint-cache';

export interface EndpointChanges {
  /** Stops listening and closes the subscriber connection. */
  close(): Promise<void>;
}

/**
 * Keeps `cache` in step with every change to an endpoint: each endpoint write publishes the
 * endpoint's id on `channel` in the same script that makes it (see `scripts.ts`), and this
 * subscriber forgets that endpoint as the message arrives, so an attempt that starts after the
 * API answered uses the change (docs/api.md, "Endpoints").
 *
 * Messages published while the subscriber is not subscribed are lost, so the cache caches
 * nothing from the moment the connection drops until the subscription is back, and starts
 * empty then.
 */
export function listenForEndpointChanges(options: {
  /** A connection to copy the settings of; the subscriber gets a connection of its own. */
  redis: HooklineContext['redis'];
  channel: string;
  cache: EndpointCache;
  logger: Logger;
  /** Also told of every change: what else keeps something made from an endpoint forgets it. */
  onChange?: (id: string) => void;
}): EndpointChanges {
  const { channel, cache, logger, onChange } = options;
  // A connection in subscriber mode can run no other command, hence its own. Subscribing again
  // is done here on every `ready` rather than by ioredis's autoResubscribe, which would give no
  // sign of when the subscription is back in place.
  const subscriber = duplicateRedis(options.redis, {
    connectionName: 'hookline-endpoint-changes',
    autoResubscribe: false,
    enableAutoPipelining: false,
  });
  let closing = false;
  let lost = false;
  subscriber.on('error', () => undefined);
  subscriber.on('message', (from: string, id: string) => {
    if (from !== channel) return;
    cache.invalidate(id);
    onChange?.(id);
  });
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => {
        cache.setListening(true);
        if (lost) logger.info('endpoint changes: subscribed again; endpoint cache emptied');
        lost = false;
      },
      (error: unknown) =>
        // The connection dropped before Redis answered: the next `ready` subscribes again.
        logger.warn({ err: error }, 'endpoint changes: could not subscribe'),
    );
  });
  subscriber.on('close', () => {
    cache.setListening(false);
    if (closing || lost) return;
    lost = true;
    logger.warn(
      'endpoint changes: subscription lost; endpoints are read uncached until it is back',
    );
  });

  return {
    async close() {
      closing = true;
      const open = subscriber.status === 'ready' || subscriber.status === 'connect';
      // Not events.once: it would reject on an 'error' emitted while the socket closes.
      const ended = new Promise<void>((resolve) => {
        if (open) subscriber.once('end', () => resolve());
        else resolve();
      });
      subscriber.disconnect();
      await ended;
    },
  };
}
