import { EVENT_NAME_PLACEHOLDER } from '@hookline/api';
import { headers as natsHeaders } from 'nats';
import type { Destination } from '../destination';
import { signedHeaders } from '../signed-headers';
import { NatsConnections, type NatsConnectionsOptions } from './connections';
import { classifyNatsError, deliveredResult, failedResult } from './outcome';
import { withoutSecrets } from './redact';
import { natsSpan } from './span';

export interface NatsDestinationOptions extends NatsConnectionsOptions {
  /** Time to wait for JetStream's acknowledgement of a publish. Default 15 s. */
  publishTimeoutMs?: number;
}

const encoder = new TextEncoder();

/**
 * Webhooks as NATS JetStream messages: the event's JSON, signed (Standard Webhooks headers as
 * message headers), published to the endpoint's subject and acknowledged by the stream that
 * stores it. The delivery id is the message id (`Nats-Msg-Id`), so a retry of a publish the
 * stream stored but whose acknowledgement was lost is dropped as a duplicate within the stream's
 * duplicate window (2 minutes unless the stream says otherwise).
 */
export function createNatsDestination(options: NatsDestinationOptions): Destination {
  const connections = new NatsConnections(options);
  const timeout = options.publishTimeoutMs ?? 15_000;
  return {
    type: 'nats',
    span: natsSpan,
    async attempt(input) {
      const started = performance.now();
      const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
      const { endpoint } = input;
      const brokerUrl = endpoint.broker_url ?? endpoint.url;
      const subject = (endpoint.subject ?? '').replaceAll(EVENT_NAME_PLACEHOLDER, input.eventName);
      const headers = natsHeaders();
      const all = { ...signedHeaders(input), ...input.trace, 'content-type': 'application/json' };
      for (const [name, value] of Object.entries(all)) headers.set(name, value);
      try {
        const { jetstream } = await connections.of(endpoint.id, brokerUrl);
        const ack = await jetstream.publish(subject, encoder.encode(input.body), {
          msgID: input.deliveryId,
          headers,
          timeout,
        });
        return deliveredResult(ack, elapsed());
      } catch (error) {
        const failure = classifyNatsError(error);
        // What nats.js or the server said could quote the URL: its credentials go.
        const message = withoutSecrets(failure.message, brokerUrl);
        return failedResult({ ...failure, message }, elapsed());
      }
    },
    forget: (endpointId) => connections.forget(endpointId),
    close: () => connections.close(),
  };
}
