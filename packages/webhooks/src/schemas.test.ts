import { EventName, EventResource, JsonObject, WebhookEvent } from './schemas';

const specExample = {
  id: 'evt_abc123',
  name: 'order.filled',
  resource: { id: 'ord_xyz789', resource_type: 'order' },
  data: {},
  created_at: '2026-01-15T10:30:00Z',
};

describe('EventName', () => {
  test.each(['order.filled', 'a', 'invoice:paid_v2-beta', 'x'.repeat(255)])(
    'accepts %j',
    (name) => {
      expect(EventName.safeParse(name).success).toBe(true);
    },
  );

  test.each(['', 'x'.repeat(256), 'order filled', 'order/filled', 'ordér'])(
    'rejects %j',
    (name) => {
      expect(EventName.safeParse(name).success).toBe(false);
    },
  );
});

describe('JsonObject', () => {
  test('accepts an empty object', () => {
    expect(JsonObject.parse({})).toEqual({});
  });

  test.each([[[]], [null], [1], ['text'], [true]])('rejects %j', (value) => {
    expect(JsonObject.safeParse(value).success).toBe(false);
  });
});

describe('EventResource', () => {
  test('rejects an empty resource id', () => {
    expect(EventResource.safeParse({ id: '', resource_type: 'order' }).success).toBe(false);
  });
});

describe('WebhookEvent', () => {
  test('parses the body a receiver gets', () => {
    expect(WebhookEvent.parse(specExample)).toEqual(specExample);
  });

  test('accepts an event without a resource', () => {
    const { resource: _resource, ...withoutResource } = specExample;
    expect(WebhookEvent.safeParse(withoutResource).success).toBe(true);
  });

  test('accepts a created_at with milliseconds and an offset', () => {
    const event = { ...specExample, created_at: '2026-01-15T12:30:00.123+02:00' };
    expect(WebhookEvent.safeParse(event).success).toBe(true);
  });

  test('rejects a created_at that is not an ISO 8601 datetime', () => {
    const event = { ...specExample, created_at: 'yesterday' };
    expect(WebhookEvent.safeParse(event).success).toBe(false);
  });

  test('rejects data that is an array', () => {
    expect(WebhookEvent.safeParse({ ...specExample, data: [] }).success).toBe(false);
  });
});
