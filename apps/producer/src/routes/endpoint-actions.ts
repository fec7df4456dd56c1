import { fromStatuses, prepareEvent } from '@hookline/core';
import type { RouteDeps } from '../deps';
import { HttpError } from '../http-error';
import { visibleEndpoint } from '../principal';
import type { Handlers } from '../route-table';
import { tenantBudget } from '../tenant-budget';

/** What an operator (or the endpoint's tenant) does to one endpoint: send a test, recover what it missed. */
export function endpointActionHandlers(deps: RouteDeps): Handlers {
  const { context, now } = deps;
  const budget = tenantBudget(deps);
  return {
    sendTestEvent: async (_req, res, { params: { id }, body }) => {
      const endpoint = await visibleEndpoint(context, res, id);
      // A disabled endpoint's deliveries go straight to the dead letter, so a test could only
      // ever be dead on arrival: refuse it and say why rather than accept a send that cannot happen.
      if (endpoint.disabled) {
        throw new HttpError(
          422,
          'validation_failed',
          `endpoint ${id} is disabled: enable it to send a test`,
          [{ path: 'disabled', message: 'the endpoint is disabled' }],
        );
      }
      await budget.take(res, 'test_sends');
      const at = now();
      const prepared = prepareEvent({ ...body, tenant_id: endpoint.tenant_id }, [id], {
        now: at,
        test: true,
      });
      await context.publisher.publish([prepared], undefined, at);
      res.status(202).json({ id: prepared.event.id, deliveries: 1 });
    },

    recoverEndpoint: async (_req, res, { params: { id }, body: { since } }) => {
      await visibleEndpoint(context, res, id);
      const statuses = fromStatuses('recover');
      const ids = await context.deliveries.idsSince(
        id,
        statuses,
        Date.parse(since),
        budget.most(res, 'retries'),
      );
      // A tenant key sends what its budget holds; the rest stay as they are.
      const allowed = await budget.take(res, 'retries', ids.length);
      const recovered = await context.deliveries.requeue(ids.slice(0, allowed), statuses, now());
      res.status(202).json({ recovered: recovered.length });
    },
  };
}
