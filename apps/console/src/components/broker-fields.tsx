import { useState } from 'preact/hooks';
import type { Endpoint, EndpointType } from '../api/types';
import { TextField } from './text-field';

/** A broker endpoint's own fields as the API takes them: RabbitMQ's exchange and routing key, NATS's subject. */
export interface BrokerInput {
  exchange?: string;
  routing_key?: string;
  subject?: string;
}

/** The routing key a new RabbitMQ endpoint is offered: the event's name, the API's default. */
const EVENT_NAME = '{event}';

/**
 * The part of the endpoint form where a broker endpoint says where it publishes: the exchange
 * and routing key (RabbitMQ) or the subject (NATS JetStream); nothing for HTTP.
 */
export function useBrokerFields(type: EndpointType, initial?: Endpoint) {
  const [exchange, setExchange] = useState(initial?.exchange ?? '');
  const [routingKey, setRoutingKey] = useState(initial?.routing_key ?? EVENT_NAME);
  const [subject, setSubject] = useState(initial?.subject ?? '');

  function value(): BrokerInput {
    switch (type) {
      case 'http':
        return {};
      case 'rabbitmq':
        return { exchange: exchange.trim(), routing_key: routingKey.trim() };
      case 'nats':
        return { subject: subject.trim() };
      default: {
        const never: never = type;
        return never;
      }
    }
  }

  function reset() {
    setExchange('');
    setRoutingKey(EVENT_NAME);
    setSubject('');
  }

  const fields =
    type === 'rabbitmq' ? (
      <>
        <TextField
          label="Exchange"
          name="exchange"
          value={exchange}
          onInput={setExchange}
          placeholder="empty: the default exchange"
        />
        <TextField
          label="Routing key"
          name="routing_key"
          value={routingKey}
          onInput={setRoutingKey}
          placeholder="{event}: the event's name"
        />
      </>
    ) : type === 'nats' ? (
      <TextField
        label="Subject"
        name="subject"
        value={subject}
        onInput={setSubject}
        placeholder="hooks.{event}"
        required
      />
    ) : null;
  return { fields, value, reset };
}
