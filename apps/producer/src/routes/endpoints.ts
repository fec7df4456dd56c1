import { authConflict, signatureProblems } from '@hookline/api';
import { endpointView, verificationKey } from '@hookline/core';
import type { RouteDeps } from '../deps';
import { endpointInputSchemas, patchTypeProblems } from '../endpoint-input';
import { notFound } from '../http-error';
import { validationFailed } from '../validate';
import { principalOf, tenantScope, visibleEndpoint } from '../principal';
import type { Handlers } from '../route-table';

/** Endpoints: create, list, read, update, delete, and their signing secret. */
export function endpointHandlers({ context, config, now }: RouteDeps): Handlers {
  const policy = { allowInsecure: config.allowInsecureUrls };
  const { EndpointCreate, EndpointPatch } = endpointInputSchemas(policy, now);

  return {
    createEndpoint: {
      body: EndpointCreate,
      handle: async (_req, res, { body }) => {
        // A tenant key creates in its own tenant only (absent means its own).
        const principal = principalOf(res);
        const tenant =
          principal.kind === 'tenant'
            ? tenantScope(principal, body.tenant_id ?? undefined)!
            : body.tenant_id;
        // The limit binds operator keys too: it bounds what one tenant's endpoints cost every
        // publish to it, whoever made them (README, "Tenant quotas").
        const endpoint = await context.endpoints.create(
          { ...body, tenant_id: tenant },
          now(),
          config.tenantQuotas.maxEndpoints,
        );
        res
          .status(201)
          .location(`/v1/endpoints/${endpoint.id}`)
          .json({ ...endpointView(endpoint), secret: verificationKey(endpoint) });
      },
    },

    listEndpoints: async (_req, res, { query: { tenant_id, ...page } }) => {
      res.json(
        await context.endpoints.list({
          ...page,
          tenant_id: tenantScope(principalOf(res), tenant_id),
        }),
      );
    },

    getEndpoint: async (_req, res, { params }) => {
      res.json(endpointView(await visibleEndpoint(context, res, params.id)));
    },

    updateEndpoint: {
      body: EndpointPatch,
      handle: async (_req, res, { params: { id }, body }) => {
        const current = await visibleEndpoint(context, res, id);
        const problems = signatureProblems({ ...body, signature: current.signature });
        problems.push(...patchTypeProblems(current.type, body, policy));
        // The headers and the authentication as they will be once the change is made.
        const conflict = authConflict(
          body.auth === undefined ? current.auth : body.auth,
          body.headers ?? current.headers,
        );
        if (conflict) problems.push({ path: 'auth', message: conflict });
        if (problems.length > 0) throw validationFailed(problems);
        const endpoint = await context.endpoints.update(id, body, now());
        if (!endpoint) throw notFound('endpoint', id);
        res.json(endpointView(endpoint));
      },
    },

    deleteEndpoint: async (_req, res, { params }) => {
      const { id } = await visibleEndpoint(context, res, params.id);
      if (!(await context.endpoints.delete(id))) throw notFound('endpoint', id);
      await context.deliveries.dropWaitingOf(id, now());
      await context.deliveries.dropDeadLetterOf(id, now());
      res.status(204).end();
    },

    getEndpointSecret: async (_req, res, { params }) => {
      res.json({ key: verificationKey(await visibleEndpoint(context, res, params.id)) });
    },

    rotateEndpointSecret: async (_req, res, { params: { id }, body: { key } }) => {
      const { signature } = await visibleEndpoint(context, res, id);
      const problems = signatureProblems({ signature, secret: key });
      if (problems.length > 0) throw validationFailed(problems.map((p) => ({ ...p, path: 'key' })));
      const newKey = await context.endpoints.rotateSecret(
        id,
        key,
        config.secretRotationGraceMs,
        now(),
      );
      if (newKey === undefined) throw notFound('endpoint', id);
      res.json({ key: newKey });
    },
  };
}
