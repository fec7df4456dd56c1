// The bare AMQP publisher: what a team writes in an afternoon to put signed webhooks on RabbitMQ
// with amqplib. One connection, one confirm channel; per message: build the body, sign it
// (Standard Webhooks), publish it persistent, await its confirm; `BARE_CONCURRENCY` messages in
// flight. No queue in front of it, no records, no retries. The reference for Hookline's dispatcher
// delivering to a rabbitmq endpoint, started by the bench as a process as the dispatcher is.
import { randomBytes, randomUUID } from 'node:crypto';
import { sign, WebhookHeaders } from '@hookline/webhooks';
import { connect, type ConfirmChannel } from 'amqplib';
import { z } from 'zod';
import { inParallel } from '../case';
import { eventBody } from '../payload';

const Config = z.object({
  BARE_AMQP_URL: z.string().regex(/^amqps?:\/\//),
  BARE_EXCHANGE: z.string().min(1),
  BARE_ROUTING_KEY: z.string().min(1),
  /** The event name each message is of (the drain's backlog's). */
  BARE_EVENT_NAME: z.string().min(1),
  BARE_SECRET: z.string().startsWith('whsec_'),
  BARE_MESSAGES: z.coerce.number().int().positive(),
  /** Messages in flight (published, confirm awaited); Hookline's dispatcher's default concurrency. */
  BARE_CONCURRENCY: z.coerce.number().int().positive().default(100),
});
type Config = z.infer<typeof Config>;
const config: Config = Config.parse(process.env);
const secrets = [config.BARE_SECRET];

function fail(message: string): never {
  process.stderr.write(`bare amqp publisher: ${message}\n`);
  process.exit(1);
}

/** Publishes one message and resolves on the broker's confirm; a nack rejects. */
function publishConfirmed(
  channel: ConfirmChannel,
  content: Buffer,
  headers: Record<string, string>,
  messageId: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.publish(
      config.BARE_EXCHANGE,
      config.BARE_ROUTING_KEY,
      content,
      {
        persistent: true,
        // As Hookline's destination publishes: a message no queue takes comes back, not lost.
        mandatory: true,
        contentType: 'application/json',
        messageId,
        timestamp: Math.floor(Date.now() / 1000),
        headers,
      },
      (error: unknown) => (error ? reject(new Error('the broker nacked a message')) : resolve()),
    );
  });
}

/**
 * The headers Hookline's messages carry, so that the broker stores messages of the same size:
 * the Standard Webhooks three, the attempt and the event id, and a `traceparent` (which Hookline's
 * dispatcher sends with tracing off too).
 */
function headersOf(messageId: string, eventId: string, body: string): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    [WebhookHeaders.id]: messageId,
    [WebhookHeaders.timestamp]: String(timestamp),
    [WebhookHeaders.signature]: sign({ id: messageId, timestamp, body, secrets }),
    [WebhookHeaders.attempt]: '1',
    [WebhookHeaders.eventId]: eventId,
    traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`,
  };
}

async function main(): Promise<void> {
  const connection = await connect(config.BARE_AMQP_URL);
  connection.on('error', (error: Error) => fail(`connection: ${error.message}`));
  const channel = await connection.createConfirmChannel();
  channel.on('error', (error: Error) => fail(`channel: ${error.message}`));
  channel.on('return', () => fail('a message was returned: no queue took it'));
  process.on('SIGTERM', () => {
    void connection.close().finally(() => process.exit(0));
  });
  process.stdout.write('ready\n');

  await inParallel(config.BARE_MESSAGES, config.BARE_CONCURRENCY, async (seq) => {
    const eventId = `evt_${randomUUID()}`;
    const messageId = `msg_${randomUUID()}`;
    const body = eventBody(eventId, config.BARE_EVENT_NAME, seq);
    await publishConfirmed(
      channel,
      Buffer.from(body),
      headersOf(messageId, eventId, body),
      messageId,
    );
  });
  // Kept running until the bench stops it, as the other deliverers are: the bench reads its CPU
  // time once the queue holds every message.
  process.stdout.write(`published ${config.BARE_MESSAGES}\n`);
}

main().catch((error: unknown) => fail((error as Error).message));
