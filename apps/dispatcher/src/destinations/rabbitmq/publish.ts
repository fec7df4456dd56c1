import type { Message } from 'amqplib';
import { WebhookHeaders } from '@hookline/webhooks';
import type { BrokerLink, PublishChannel } from './broker-link';
import { classifyConnectError, replyText, scrub } from './classify';
import type { PublishError, PublishOutcome } from './outcome';

/** One attempt's message. */
export interface AmqpMessage {
  exchange: string;
  routingKey: string;
  body: string;
  /** The delivery's id: the message's `message-id`. */
  deliveryId: string;
  attempt: number;
  headers: Record<string, string>;
  /** ms since the epoch. */
  now: number;
}

/**
 * What tells a message sent back (basic.return) from the others on its channel: its delivery
 * and attempt, which no two publishes of one dispatcher share.
 */
export function returnKeyOf(message: Message): string | undefined {
  const messageId: unknown = message.properties.messageId;
  const { headers } = message.properties;
  const attempt: unknown = headers?.[WebhookHeaders.attempt];
  return typeof messageId === 'string' ? `${messageId} ${String(attempt)}` : undefined;
}

const keyOf = (message: AmqpMessage) => `${message.deliveryId} ${message.attempt}`;

type Confirm = { ok: true } | { ok: false; error: Error };

/**
 * Publishes one message on the endpoint's shared confirm channel, mandatory and persistent, and
 * waits for the broker's confirm (RabbitMQ's publisher confirms: an ack once every queue the
 * message was routed to has it, durably for a persistent message). The whole attempt (connecting
 * included) has `timeoutMs`; a confirm that comes later is let go.
 */
export async function publish(
  link: BrokerLink,
  message: AmqpMessage,
  timeoutMs: number,
): Promise<PublishOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  const failed = (kind: PublishError, text: string, excerpt = ''): PublishOutcome => ({
    kind,
    message: scrub(text, link.brokerUrl),
    excerpt: scrub(excerpt, link.brokerUrl),
    durationMs: elapsed(),
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const opening = link.channel();
    const open = await Promise.race([opening, timedOut]);
    if (open === 'timeout') {
      opening.catch(() => undefined);
      return failed('timeout', `no connection to the broker within ${timeoutMs} ms`);
    }
    const confirming = confirm(open, message);
    const confirmed = await Promise.race([confirming, timedOut]);
    if (confirmed === 'timeout') {
      // Its return, should one come with the late confirm, is not waited for.
      void confirming.then(() => open.takeReturn(keyOf(message)));
      return failed('timeout', `no confirm from the broker within ${timeoutMs} ms`);
    }
    const returned = open.takeReturn(keyOf(message));
    if (confirmed.ok) {
      if (!returned) return { kind: 'delivered', durationMs: elapsed() };
      const said = `${returned.replyCode} ${returned.replyText}`;
      return failed('unroutable', `no queue took the message: ${said}`, said);
    }
    if (confirmed.error.message === 'message nacked')
      return failed('broker_nack', 'the broker refused the message (basic.nack)');
    if (open.refusal) {
      const said = replyText(open.refusal.message);
      return failed('broker_refused', `the broker closed the channel: ${said}`, said);
    }
    const loss = open.connectionLoss ?? confirmed.error;
    return failed('connection', `the connection to the broker closed: ${loss.message}`);
  } catch (error) {
    const { kind, message: text } = classifyConnectError(error);
    return failed(kind, text, kind === 'broker_auth' ? replyText(text) : '');
  } finally {
    clearTimeout(timer);
  }
}

/** Publishes and resolves with the broker's confirm, or the channel's end. */
function confirm(open: PublishChannel, message: AmqpMessage): Promise<Confirm> {
  return new Promise<Confirm>((resolve) => {
    try {
      open.channel.publish(
        message.exchange,
        message.routingKey,
        Buffer.from(message.body),
        {
          persistent: true,
          mandatory: true,
          contentType: 'application/json',
          messageId: message.deliveryId,
          timestamp: Math.floor(message.now / 1000),
          headers: message.headers,
        },
        (error: unknown) => {
          // Read once the channel's close has finished: the connection's reason comes after it.
          setImmediate(() => resolve(error ? { ok: false, error: asError(error) } : { ok: true }));
        },
      );
    } catch (error) {
      // The channel closed between being handed out and this publish.
      resolve({ ok: false, error: asError(error) });
    }
  });
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));
