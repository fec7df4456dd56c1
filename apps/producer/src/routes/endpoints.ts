import { EndpointListQuery, SecretRotate } from '@hookline/api';
import { endpointView, type StoredEndpoint } from '@hookline/core';
import { Router } from 'express';
import type { RequestHandler, Response } from 'express';
import type { RouteDeps } from '../deps';
import { endpointInputSchemas } from '../endpoint-input';
import { notFound } from '../http-error';
import { jsonBody } from '../json-body';
import { principalOf, tenantScope, visible } from '../principal';
import { parse, pathId } from '../validate';

const currentSecret = (endpoint: StoredEndpoint) => endpoint.secrets[0]!.key;

/** Endpoints: create, list, read, update, delete, and their signing secret. */
export function endpointRoutes({ context, config, now }: RouteDeps, auth: RequestHandler): Router {
  const router = Router();
  const { EndpointCreate, EndpointPatch } = endpointInputSchemas({
    allowInsecure: config.allowInsecureUrls,
  });

  /** The endpoint of the path, if the caller may see it (else 404, as if it did not exist). */
  const load = async (res: Response, text: unknown) => {
    const id = pathId('ep', text);
    const endpoint = await context.endpoints.get(id);
    return visible(principalOf(res), endpoint, (e) => e.tenant_id, 'endpoint', id);
  };

  router.post('/v1/endpoints', auth, jsonBody, async (req, res) => {
    const input = parse(EndpointCreate, req.body);
    // A tenant key creates in its own tenant only (absent means its own).
    const principal = principalOf(res);
    const tenant =
      principal.kind === 'tenant'
        ? tenantScope(principal, input.tenant_id ?? undefined)!
        : input.tenant_id;
    const endpoint = await context.endpoints.create({ ...input, tenant_id: tenant }, now());
    res
      .status(201)
      .location(`/v1/endpoints/${endpoint.id}`)
      .json({ ...endpointView(endpoint), secret: currentSecret(endpoint) });
  });

  router.get('/v1/endpoints', auth, async (req, res) => {
    const { tenant_id, ...page } = parse(EndpointListQuery, req.query);
    res.json(
      await context.endpoints.list({
        ...page,
        tenant_id: tenantScope(principalOf(res), tenant_id),
      }),
    );
  });

  router.get('/v1/endpoints/:id', auth, async (req, res) => {
    res.json(endpointView(await load(res, req.params.id)));
  });

  router.patch('/v1/endpoints/:id', auth, jsonBody, async (req, res) => {
    // The id's form, then the body, then whether it exists (docs/api.md, "Errors").
    const id = pathId('ep', req.params.id);
    const patch = parse(EndpointPatch, req.body);
    await load(res, id);
    const endpoint = await context.endpoints.update(id, patch, now());
    if (!endpoint) throw notFound('endpoint', id);
    res.json(endpointView(endpoint));
  });

  router.delete('/v1/endpoints/:id', auth, async (req, res) => {
    const { id } = await load(res, req.params.id);
    if (!(await context.endpoints.delete(id))) throw notFound('endpoint', id);
    await context.deliveries.dropWaitingOf(id, now());
    await context.deliveries.dropDeadLetterOf(id, now());
    res.status(204).end();
  });

  router.get('/v1/endpoints/:id/secret', auth, async (req, res) => {
    res.json({ key: currentSecret(await load(res, req.params.id)) });
  });

  router.post('/v1/endpoints/:id/secret/rotate', auth, jsonBody, async (req, res) => {
    const id = pathId('ep', req.params.id);
    const { key } = parse(SecretRotate, req.body);
    await load(res, id);
    const newKey = await context.endpoints.rotateSecret(
      id,
      key,
      config.secretRotationGraceMs,
      now(),
    );
    if (newKey === undefined) throw notFound('endpoint', id);
    res.json({ key: newKey });
  });

  return router;
}
