/**
 * What the stores refuse, as domain errors: the producer maps each to an HTTP answer in one place
 * (apps/producer/src/errors.ts). Anything else a store throws is a bug or an outage.
 */
export class IdempotencyConflictError extends Error {
  override name = 'IdempotencyConflictError';
  constructor(
    /** `different_body`: the key was used with another body; `in_progress`: its first request still runs. */
    readonly reason: 'different_body' | 'in_progress',
  ) {
    super(
      reason === 'different_body'
        ? 'this Idempotency-Key was used with a different request body'
        : 'a request with this Idempotency-Key is still in progress',
    );
  }
}

/** A tenant that has its most endpoints already (`HOOKLINE_TENANT_MAX_ENDPOINTS`) gets none more. */
export class TenantEndpointLimitError extends Error {
  override name = 'TenantEndpointLimitError';
  constructor(
    readonly tenantId: string,
    readonly max: number,
  ) {
    super(`tenant ${tenantId} has ${max} endpoints, the most a tenant may have: delete one first`);
  }
}
