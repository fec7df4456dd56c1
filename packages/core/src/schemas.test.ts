import { endpointView } from './catalog/endpoint-store';
import { StoredEndpoint } from './schemas';

/** An endpoint as Redis held it before destination types existed: no `type`. */
const before = {
  id: 'ep_01JH0000000000000000000000',
  tenant_id: null,
  url: 'https://example.com/hooks',
  description: '',
  event_types: [],
  headers: {},
  rate_limit: null,
  signature: 'v1',
  legacy_signature_header: null,
  disabled: false,
  metadata: {},
  created_at: '2026-01-14T12:00:00.000Z',
  updated_at: '2026-01-14T12:00:00.000Z',
  secrets: [{ key: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', expires_at: null }],
};

test('a stored endpoint without a type is an http one, and the API shows it so', () => {
  const stored = StoredEndpoint.parse(before);
  expect(stored.type).toBe('http');
  expect(endpointView(stored).type).toBe('http');
});

test('a stored endpoint of a type this version does not know fails its schema', () => {
  expect(StoredEndpoint.safeParse({ ...before, type: 'carrier_pigeon' }).success).toBe(false);
});

test('a stored endpoint without an ordering is unordered, and the API shows null', () => {
  const stored = StoredEndpoint.parse(before);
  expect(stored.ordering).toBeNull();
  expect(endpointView(stored).ordering).toBeNull();
  expect(StoredEndpoint.parse({ ...before, ordering: { key: 'tenant' } }).ordering).toEqual({
    key: 'tenant',
  });
});
