import { EndpointListQuery, SecretRotate } from '@hookline/api';
import { endpointView, type StoredEndpoint } from '@hookline/core';
import { Router } from 'express';
import type { RequestHandler } from 'express';
import type { RouteDeps } from '../deps';
import { endpointInputSchemas } from '../endpoint-input';
import { notFound } from '../http-error';
import { jsonBody } from '../json-body';
import { parse, pathId } from '../validate';

const currentSecret = (endpoint: StoredEndpoint) => endpoint.secrets[0]!.key;

/** Endpoints: create, list, read, update, delete, and their signing secret. */
export function endpointRoutes({ context, config, now }: RouteDeps, auth: RequestHandler): Router {
  const router = Router();
  const { EndpointCreate, EndpointPatch } = endpointInputSchemas({
    allowInsecure: config.allowInsecureUrls,
  });

  const load = async (text: unknown) => {
    const id = pathId('ep', text);
    const endpoint = await context.endpoints.get(id);
    if (!endpoint) throw notFound('endpoint', id);
    return endpoint;
  };

  router.post('/v1/endpoints', auth, jsonBody, async (req, res) => {
    const endpoint = await context.endpoints.create(parse(EndpointCreate, req.body), now());
    res
      .status(201)
      .location(`/v1/endpoints/${endpoint.id}`)
      .json({ ...endpointView(endpoint), secret: currentSecret(endpoint) });
  });

  router.get('/v1/endpoints', auth, async (req, res) => {
    res.json(await context.endpoints.list(parse(EndpointListQuery, req.query)));
  });

  router.get('/v1/endpoints/:id', auth, async (req, res) => {
    res.json(endpointView(await load(req.params.id)));
  });

  router.patch('/v1/endpoints/:id', auth, jsonBody, async (req, res) => {
    const id = pathId('ep', req.params.id);
    const endpoint = await context.endpoints.update(id, parse(EndpointPatch, req.body), now());
    if (!endpoint) throw notFound('endpoint', id);
    res.json(endpointView(endpoint));
  });

  router.delete('/v1/endpoints/:id', auth, async (req, res) => {
    const id = pathId('ep', req.params.id);
    const waiting = await context.endpoints.delete(id);
    if (!waiting) throw notFound('endpoint', id);
    await context.deliveries.dropWaiting(id, waiting, now());
    res.status(204).end();
  });

  router.get('/v1/endpoints/:id/secret', auth, async (req, res) => {
    res.json({ key: currentSecret(await load(req.params.id)) });
  });

  router.post('/v1/endpoints/:id/secret/rotate', auth, jsonBody, async (req, res) => {
    const id = pathId('ep', req.params.id);
    const { key } = parse(SecretRotate, req.body);
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
