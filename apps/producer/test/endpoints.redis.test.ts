import { type Endpoint } from '@hookline/api';
import { deliveryIdFor } from '@hookline/core';
import { generateSecret, generateSigningKey, publicKeyOf } from '@hookline/webhooks';
import { endpointBody, expectError, startApp, type Harness } from './harness';

let h: Harness;
// A fixed instant, recent enough for the log to keep what is published at it (HOOKLINE_RETENTION).
let clock = Math.floor(Date.now() / 1000) * 1000;

beforeAll(async () => {
  h = await startApp('endpoints', { now: () => clock });
});
afterAll(() => h.close());

type Created = Endpoint & { secret: string };
const create = async (body: Record<string, unknown> = endpointBody()) =>
  (await h.api.post('/v1/endpoints', body).expect(201)).body as Created;

describe('POST /v1/endpoints', () => {
  test('creates an endpoint: 201 with every field, the secret and a Location', async () => {
    const res = await h.api.post('/v1/endpoints', {
      url: 'https://example.com/hooks',
      description: 'orders',
      event_types: ['order.*', 'user.created'],
      headers: { 'X-Team': 'payments' },
      rate_limit: 10,
      legacy_signature_header: 'X-Hub-Signature-256',
      metadata: { owner: 'ops' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^ep_[0-9A-Z]{26}$/) as string,
      type: 'http',
      tenant_id: null,
      url: 'https://example.com/hooks',
      description: 'orders',
      event_types: ['order.*', 'user.created'],
      headers: { 'X-Team': 'payments' },
      rate_limit: 10,
      ordering: null,
      signature: 'v1',
      public_key: null,
      legacy_signature_header: 'X-Hub-Signature-256',
      disabled: false,
      metadata: { owner: 'ops' },
      auth: null,
      exchange: null,
      routing_key: null,
      subject: null,
      created_at: new Date(clock).toISOString(),
      updated_at: new Date(clock).toISOString(),
      secret: expect.stringMatching(/^whsec_/) as string,
    });
    expect(res.headers.location).toBe(`/v1/endpoints/${(res.body as Created).id}`);
  });

  test('fills the defaults for a body with only a url', async () => {
    const endpoint = await create();
    expect(endpoint).toMatchObject({
      description: '',
      event_types: [],
      headers: {},
      rate_limit: null,
      ordering: null,
      legacy_signature_header: null,
      disabled: false,
      metadata: {},
    });
  });

  test('keeps a secret the caller supplies', async () => {
    const secret = generateSecret(32);
    expect((await create(endpointBody({ secret }))).secret).toBe(secret);
  });

  test('refuses a malformed secret, a bad url and a reserved header with 422 at their paths', async () => {
    const res = await h.api.post('/v1/endpoints', {
      url: 'not a url',
      secret: 'whsec_short',
      headers: { 'Webhook-Signature': 'x' },
    });
    expect(res.status).toBe(422);
    expectError(res.body, 'validation_failed');
    const paths = (res.body as { error: { details: { path: string }[] } }).error.details
      .map((d) => d.path)
      .sort();
    expect(paths).toEqual(['headers.Webhook-Signature', 'secret', 'url']);
  });

  test('is an http endpoint when the body names no type or http; any other type is a 422 at type', async () => {
    expect((await create(endpointBody())).type).toBe('http');
    expect((await create({ ...endpointBody(), type: 'http' })).type).toBe('http');
    for (const type of ['amqp', 'HTTP', '', null, 1]) {
      const res = await h.api.post('/v1/endpoints', { ...endpointBody(), type });
      expect(res.status).toBe(422);
      expect(
        (res.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path),
      ).toEqual(['type']);
    }
  });

  test('refuses a body without a url', async () => {
    const res = await h.api.post('/v1/endpoints', {});
    expect(res.status).toBe(422);
    expect((res.body as { error: { details: { path: string }[] } }).error.details).toEqual([
      { path: 'url', message: expect.any(String) as string },
    ]);
  });
});

describe('GET /v1/endpoints/:id', () => {
  test('reads an endpoint without its secret', async () => {
    const created = await create();
    const res = await h.api.get(`/v1/endpoints/${created.id}`).expect(200);
    const { secret: _secret, ...view } = created;
    expect(res.body).toEqual(view);
    expect(res.body).not.toHaveProperty('secret');
  });

  test('an unknown id is 404 and a malformed one is 404 too', async () => {
    expectError(
      (await h.api.get('/v1/endpoints/ep_01JH0000000000000000000000').expect(404)).body,
      'not_found',
    );
    expectError((await h.api.get('/v1/endpoints/12345').expect(404)).body, 'not_found');
  });
});

describe('GET /v1/endpoints', () => {
  test('pages through every endpoint with limit and next_cursor, in creation order', async () => {
    const own = await startApp('endpoints-list');
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push(
          ((await own.api.post('/v1/endpoints', endpointBody()).expect(201)).body as Created).id,
        );
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
        const page = (await own.api.get(`/v1/endpoints${query}`).expect(200)).body as {
          data: Endpoint[];
          next_cursor: string | null;
        };
        sizes.push(page.data.length);
        seen.push(...page.data.map((e) => e.id));
        for (const e of page.data) expect(e).not.toHaveProperty('secret');
        cursor = page.next_cursor;
      } while (cursor !== null);
      expect(sizes).toEqual([2, 2, 1]);
      expect(seen).toEqual(ids);
    } finally {
      await own.close();
    }
  });
});

describe('PATCH /v1/endpoints/:id', () => {
  test('updates the fields given and nothing else', async () => {
    const created = await create(endpointBody({ description: 'before', metadata: { a: '1' } }));
    clock += 1_000;
    const res = await h.api
      .patch(`/v1/endpoints/${created.id}`, { description: 'after', disabled: true })
      .expect(200);
    expect(res.body).toMatchObject({
      id: created.id,
      description: 'after',
      disabled: true,
      metadata: { a: '1' },
      url: created.url,
    });
    expect((res.body as Endpoint).updated_at).toBe(new Date(clock).toISOString());
    expect((res.body as Endpoint).created_at).toBe(created.created_at);
  });

  test('validates like a create, and refuses the secret and unknown fields', async () => {
    const created = await create();
    for (const [body, path] of [
      [{ url: 'ftp://example.com' }, 'url'],
      [{ secret: generateSecret() }, 'secret'],
      [{ rate_limit: 0 }, 'rate_limit'],
      [{ event_types: ['a b'] }, 'event_types.0'],
      [{ color: 'red' }, 'color'],
      // The type never changes: a PATCH naming it, even the same one, is refused.
      [{ type: 'http' }, 'type'],
    ] as const) {
      const res = await h.api.patch(`/v1/endpoints/${created.id}`, body);
      expect(res.status).toBe(422);
      expect(
        (res.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path),
      ).toEqual([path]);
    }
    expect((await h.api.get(`/v1/endpoints/${created.id}`)).body).toMatchObject({
      url: created.url,
      rate_limit: null,
    });
  });

  test('an unknown endpoint is 404', async () => {
    expectError(
      (
        await h.api
          .patch('/v1/endpoints/ep_01JH0000000000000000000000', { description: 'x' })
          .expect(404)
      ).body,
      'not_found',
    );
  });
});

describe('ordering', () => {
  const endpointCount = () => h.context.redis.zcard(h.context.keys.endpoints);
  const detailsOf = (body: unknown) =>
    (body as { error: { details: { path: string; message: string }[] } }).error.details;

  test('a create with an ordering key answers it, and reading the endpoint shows it', async () => {
    const created = await create(endpointBody({ ordering: { key: 'resource' } }));
    expect(created.ordering).toEqual({ key: 'resource' });
    expect((await h.api.get(`/v1/endpoints/${created.id}`).expect(200)).body).toMatchObject({
      ordering: { key: 'resource' },
    });
  });

  test('a create refuses an unknown key, an extra field or a bare key with a 422 at ordering, and creates nothing', async () => {
    const before = await endpointCount();
    for (const [ordering, path, message] of [
      [{ key: 'event' }, 'ordering.key', /endpoint.*resource.*tenant/],
      [{ key: 'tenant', window: 5 }, 'ordering.window', /unknown field/],
      [{}, 'ordering.key', /endpoint.*resource.*tenant/],
      ['resource', 'ordering', /expected object/],
    ] as const) {
      const res = await h.api.post('/v1/endpoints', endpointBody({ ordering }));
      expect(res.status).toBe(422);
      expectError(res.body, 'validation_failed');
      expect(detailsOf(res.body)).toEqual([
        { path, message: expect.stringMatching(message) as string },
      ]);
    }
    expect(await endpointCount()).toBe(before);
  });

  test('a PATCH sets another key, then null removes it; a PATCH without it keeps it', async () => {
    const created = await create(endpointBody({ ordering: { key: 'endpoint' } }));
    const patched = await h.api
      .patch(`/v1/endpoints/${created.id}`, { ordering: { key: 'tenant' } })
      .expect(200);
    expect((patched.body as Endpoint).ordering).toEqual({ key: 'tenant' });
    await h.api.patch(`/v1/endpoints/${created.id}`, { description: 'kept' }).expect(200);
    expect((await h.api.get(`/v1/endpoints/${created.id}`)).body).toMatchObject({
      description: 'kept',
      ordering: { key: 'tenant' },
    });

    const removed = await h.api
      .patch(`/v1/endpoints/${created.id}`, { ordering: null })
      .expect(200);
    expect((removed.body as Endpoint).ordering).toBeNull();
    expect(((await h.api.get(`/v1/endpoints/${created.id}`)).body as Endpoint).ordering).toBeNull();
  });

  test('a PATCH with a bad ordering is a 422 and changes nothing', async () => {
    const created = await create(endpointBody({ ordering: { key: 'resource' } }));
    for (const [ordering, path] of [
      [{ key: 'events' }, 'ordering.key'],
      [{ key: 'tenant', strict: true }, 'ordering.strict'],
    ] as const) {
      const res = await h.api.patch(`/v1/endpoints/${created.id}`, { ordering });
      expect(res.status).toBe(422);
      expect(detailsOf(res.body).map((d) => d.path)).toEqual([path]);
    }
    expect((await h.api.get(`/v1/endpoints/${created.id}`)).body).toEqual(
      (({ secret: _secret, ...view }) => view)(created),
    );
  });
});

describe('DELETE /v1/endpoints/:id', () => {
  test('deletes the endpoint: 204, then 404', async () => {
    const created = await create();
    const res = await h.api.delete(`/v1/endpoints/${created.id}`).expect(204);
    expect(res.text).toBe('');
    await h.api.get(`/v1/endpoints/${created.id}`).expect(404);
    await h.api.delete(`/v1/endpoints/${created.id}`).expect(404);
  });

  test('settles its waiting deliveries dead, outside the dead letter, their jobs due now', async () => {
    const created = await create(endpointBody({ event_types: ['delete.me'] }));
    const event = (
      await h.api
        .post('/v1/events', { name: 'delete.me', data: {}, endpoint_ids: [created.id] })
        .expect(202)
    ).body as { id: string };
    const deliveryId = deliveryIdFor(event.id, created.id);
    const job = () => h.context.queues.of(deliveryId).deliveries.getJob(deliveryId);
    // The delete finds the waiting deliveries the log has; one it has not logged yet is dropped
    // by the dispatcher that takes it, which finds its endpoint gone.
    await h.logged();

    await h.api.delete(`/v1/endpoints/${created.id}`).expect(204);
    expect((await h.api.get(`/v1/deliveries/${deliveryId}`).expect(200)).body).toMatchObject({
      status: 'dead',
    });
    // Its job records it dead and is due now, for a dispatcher to finish, not at a later retry.
    expect((await h.context.inFlight.get(deliveryId))?.status).toBe('dead');
    expect(await (await job())!.getState()).toBe('waiting');
    await h.logged();
    expect(await h.context.log.count({ endpoint_id: created.id, status: 'dead' })).toBe(1);
    expect(await h.context.log.count({ endpoint_id: created.id, dead_letter: true })).toBe(0);
  });

  test('takes its dead letter with it', async () => {
    const created = await create(endpointBody({ event_types: ['delete.dead'] }));
    const event = (await h.api.post('/v1/events', { name: 'delete.dead', data: {} }).expect(202))
      .body as { id: string };
    const deliveryId = deliveryIdFor(event.id, created.id);
    await h.settle(deliveryId, 'dead');
    const deadLetter = async () => {
      await h.logged();
      const page = (await h.api.get('/v1/dead-letter?limit=250').expect(200)).body as {
        data: { id: string }[];
      };
      return page.data.map((d) => d.id);
    };
    expect(await deadLetter()).toContain(deliveryId);

    await h.api.delete(`/v1/endpoints/${created.id}`).expect(204);
    expect(await deadLetter()).not.toContain(deliveryId);
    expect((await h.api.post('/v1/dead-letter/replay', {}).expect(202)).body).toEqual({
      replayed: 0,
      dry_run: false,
    });
  });
});

describe('secrets', () => {
  test('GET /secret returns the current secret as {key}', async () => {
    const created = await create();
    expect((await h.api.get(`/v1/endpoints/${created.id}/secret`).expect(200)).body).toEqual({
      key: created.secret,
    });
  });

  test('a rotation makes a new secret current and keeps the old one for the grace period', async () => {
    const created = await create();
    const rotatedAt = clock;
    const res = await h.api.post(`/v1/endpoints/${created.id}/secret/rotate`).expect(200);
    const { key } = res.body as { key: string };
    expect(key).toMatch(/^whsec_/);
    expect(key).not.toBe(created.secret);
    expect((await h.api.get(`/v1/endpoints/${created.id}/secret`)).body).toEqual({ key });
    const stored = await h.context.endpoints.get(created.id);
    expect(stored?.secrets).toEqual([
      { key, expires_at: null },
      { key: created.secret, expires_at: rotatedAt + h.config.secretRotationGraceMs },
    ]);
  });

  test('a rotation to a chosen key uses it; a malformed key is 422', async () => {
    const created = await create();
    const chosen = generateSecret(48);
    expect(
      (await h.api.post(`/v1/endpoints/${created.id}/secret/rotate`, { key: chosen }).expect(200))
        .body,
    ).toEqual({ key: chosen });
    const bad = await h.api.post(`/v1/endpoints/${created.id}/secret/rotate`, {
      key: 'whsec_AAAA',
    });
    expect(bad.status).toBe(422);
    expect((bad.body as { error: { details: { path: string }[] } }).error.details[0]?.path).toBe(
      'key',
    );
  });

  test('the secret of an unknown endpoint is 404, read or rotated', async () => {
    await h.api.get('/v1/endpoints/ep_01JH0000000000000000000000/secret').expect(404);
    await h.api.post('/v1/endpoints/ep_01JH0000000000000000000000/secret/rotate').expect(404);
  });
});

describe('v1a: ed25519 signatures', () => {
  test('a v1a endpoint answers its public key, never its signing key; a rotation answers the new public key', async () => {
    const created = await create(endpointBody({ signature: 'v1a' }));
    expect(created.signature).toBe('v1a');
    expect(created.secret).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(created.public_key).toBe(created.secret);
    const stored = await h.context.endpoints.get(created.id);
    expect(stored?.secrets[0]?.key).toMatch(/^whsk_/);
    expect(publicKeyOf(stored!.secrets[0]!.key)).toBe(created.secret);

    const shown = [
      (await h.api.get(`/v1/endpoints/${created.id}`).expect(200)).body,
      (await h.api.get(`/v1/endpoints/${created.id}/secret`).expect(200)).body,
      (await h.api.get('/v1/endpoints?limit=100').expect(200)).body,
    ];
    expect(JSON.stringify(shown)).not.toContain('whsk_');
    expect(shown[1]).toEqual({ key: created.secret });

    const { key } = (await h.api.post(`/v1/endpoints/${created.id}/secret/rotate`).expect(200))
      .body as { key: string };
    expect(key).toMatch(/^whpk_/);
    expect(key).not.toBe(created.secret);
    const after = (await h.api.get(`/v1/endpoints/${created.id}`).expect(200)).body as Endpoint;
    expect(after.public_key).toBe(key);
    const rotated = await h.context.endpoints.get(created.id);
    expect(rotated?.secrets.map((s) => s.key.slice(0, 5))).toEqual(['whsk_', 'whsk_']);
  });

  test('a v1 endpoint shows no public key; keys of the other scheme and the HMAC legacy header on v1a are 422', async () => {
    const v1 = await create();
    expect(v1).toMatchObject({ signature: 'v1', public_key: null });
    const refused = [
      await h.api.post('/v1/endpoints', endpointBody({ secret: generateSigningKey() })),
      await h.api.post(
        '/v1/endpoints',
        endpointBody({ signature: 'v1a', secret: generateSecret() }),
      ),
      await h.api.post(
        '/v1/endpoints',
        endpointBody({ signature: 'v1a', legacy_signature_header: 'X-Hub-Signature-256' }),
      ),
      await h.api.post('/v1/endpoints', endpointBody({ signature: 'v2' })),
    ];
    expect(refused.map((r) => r.status)).toEqual([422, 422, 422, 422]);
    expect(
      refused.map(
        (r) => (r.body as { error: { details: { path: string }[] } }).error.details[0]?.path,
      ),
    ).toEqual(['secret', 'secret', 'legacy_signature_header', 'signature']);

    const v1a = await create(endpointBody({ signature: 'v1a' }));
    const patched = await h.api.patch(`/v1/endpoints/${v1a.id}`, {
      legacy_signature_header: 'X-Hub-Signature-256',
    });
    expect(patched.status).toBe(422);
    const rotated = await h.api.post(`/v1/endpoints/${v1a.id}/secret/rotate`, {
      key: generateSecret(),
    });
    expect(rotated.status).toBe(422);
    expect(
      (await h.api.post(`/v1/endpoints/${v1.id}/secret/rotate`, { key: generateSigningKey() }))
        .status,
    ).toBe(422);
    const chosen = generateSigningKey();
    expect(
      (await h.api.post(`/v1/endpoints/${v1a.id}/secret/rotate`, { key: chosen }).expect(200)).body,
    ).toEqual({ key: publicKeyOf(chosen) });
  });
});
