import type { Api } from './api/client';

// The replay route takes at most this many ids at once.
const IDS_PER_REPLAY = 1000;

export interface DeadLetterFilter {
  endpoint_id?: string;
  tenant_id?: string;
}

/**
 * Replays every dead delivery the filter matches; resolves with how many went. The API scopes
 * it: a tenant key's replay, whatever it names, takes only its own tenant's dead letter.
 */
export async function replayMatching(api: Api, filter: DeadLetterFilter): Promise<number> {
  const body: DeadLetterFilter = {};
  if (filter.endpoint_id) body.endpoint_id = filter.endpoint_id;
  if (filter.tenant_id) body.tenant_id = filter.tenant_id;
  return (await api.post<{ replayed: number }>('/v1/dead-letter/replay', body)).replayed;
}

export async function replayIds(api: Api, ids: string[]): Promise<number> {
  let replayed = 0;
  for (let i = 0; i < ids.length; i += IDS_PER_REPLAY) {
    const chunk = ids.slice(i, i + IDS_PER_REPLAY);
    replayed += (await api.post<{ replayed: number }>('/v1/dead-letter/replay', { ids: chunk }))
      .replayed;
  }
  return replayed;
}
