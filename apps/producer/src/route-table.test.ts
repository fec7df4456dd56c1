import { ROUTES } from '@hookline/api';
import express, { type Request, type RequestHandler, type Response } from 'express';
import request from 'supertest';
import { errorHandler } from './errors';
import { HttpError } from './http-error';
import { expressPath, matchedRoute, operationsOf, routeTable, type Handlers } from './route-table';

/** Answers the operation the request reached, and its input. */
const echo = (_req: Request, res: Response, input: unknown) => {
  res.json({ operationId: matchedRoute(res)?.operationId, input });
};

/** The echo for every operation of the table. */
const echoes = () => Object.fromEntries(ROUTES.map((r) => [r.operationId, echo])) as Handlers;

test('a route of the table without a handler is refused, by name', () => {
  const { getTenant: _, ...handlers } = echoes();
  expect(() => operationsOf([handlers])).toThrow(/getTenant has no handler/);
});

test('a handler of no route is refused, by name', () => {
  const handlers = { ...echoes(), getWidget: () => undefined } as Handlers;
  expect(() => operationsOf([handlers])).toThrow(/getWidget has no route/);
});

test('an operation answered by two areas is refused', () => {
  const { publishEvent } = echoes();
  expect(() => operationsOf([echoes(), { publishEvent }])).toThrow(
    /publishEvent is answered twice/,
  );
});

test('the express path of a route names its parameters with a colon', () => {
  expect(expressPath('/v1/tenants/{tenant_id}/keys')).toBe('/v1/tenants/:tenant_id/keys');
  expect(expressPath('/v1/endpoints/{id}/secret/rotate')).toBe('/v1/endpoints/:id/secret/rotate');
});

/**
 * The table with `echoes()`, behind an auth that takes `operator` and `tenant` for keys and says
 * which route it saw in `X-Route`.
 */
function app() {
  const auth: RequestHandler = (req, res, next) => {
    res.set('X-Route', matchedRoute(res)?.operationId ?? 'none');
    const key = req.get('authorization');
    if (key === 'operator') res.locals.principal = { kind: 'operator' };
    else if (key === 'tenant') res.locals.principal = { kind: 'tenant', tenantId: 'acme' };
    else return next(new HttpError(401, 'unauthorized', 'no key'));
    next();
  };
  const app = express();
  app.use(routeTable([echoes()], auth));
  app.use(errorHandler({ logger: { error() {}, warn() {} } as never, redisReady: () => true }));
  return app;
}

/** A path of the route whose parameters are well-formed ids. */
const pathOf = (path: string) =>
  path
    .replace('/endpoints/{id}', '/endpoints/ep_01JH0000000000000000000000')
    .replace('/events/{id}', '/events/evt_01JH0000000000000000000000')
    .replace('/deliveries/{id}', '/deliveries/whd_01JH0000000000000000000000')
    .replace('/operator-keys/{id}', '/operator-keys/opk_01JH0000000000000000000000')
    .replace('{tenant_id}', 'acme');

test.each(ROUTES.map((r) => [r.method, r.path, r.operationId] as const))(
  '%s %s reaches %s, its route on res.locals before auth',
  async (method, path, operationId) => {
    const agent = request(app());
    const res = await agent[method](pathOf(path))
      .set('Authorization', 'operator')
      .set('Content-Type', 'application/json')
      .send('{}');
    expect(res.headers['x-route']).toBe(operationId);
    // Some routes' input needs a field `{}` lacks: their 422 comes after the route was reached.
    expect([200, 422]).toContain(res.status);
    if (res.status === 200) expect(res.body).toMatchObject({ operationId });
  },
);

test('a request is refused 401, then 403, then for its body, then for its path', async () => {
  const a = app();
  await request(a).post('/v1/tenants/-bad-/keys').send('[').expect(401);
  await request(a)
    .post('/v1/tenants/-bad-/keys')
    .set('Authorization', 'tenant')
    .send('[')
    .expect(403);
  await request(a)
    .post('/v1/tenants/-bad-/keys')
    .set('Authorization', 'operator')
    .set('Content-Type', 'application/json')
    .send('[')
    .expect(400);
  await request(a).post('/v1/tenants/-bad-/keys').set('Authorization', 'operator').expect(404);
});

test('a tenant key passes on the routes the table opens to it, with its input parsed', async () => {
  const res = await request(app())
    .get('/v1/endpoints/ep_01JH0000000000000000000000/deliveries?limit=5')
    .set('Authorization', 'tenant')
    .expect(200);
  expect(res.body).toEqual({
    operationId: 'listEndpointDeliveries',
    input: { params: { id: 'ep_01JH0000000000000000000000' }, query: { limit: 5 } },
  });
});
