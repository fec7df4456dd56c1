import type { Api } from './api/client';
import type { Delivery, Page } from './api/types';

// The replay route takes at most this many ids at once.
const IDS_PER_REPLAY = 1000;
const LIST_PAGE = 250;

export interface DeadLetterFilter {
  endpoint_id?: string;
  tenant_id?: string;
}

/**
 * Replays every dead delivery the filter matches; resolves with how many went. The replay route
 * takes an endpoint or ids, not a tenant: a tenant's dead letter is listed and replayed by id.
 * So is everything a tenant key replays (`byIds`): it replays exactly what it was shown.
 */
export async function replayMatching(
  api: Api,
  filter: DeadLetterFilter,
  { byIds = false } = {},
): Promise<number> {
  if (!filter.tenant_id && !byIds) {
    const body = filter.endpoint_id ? { endpoint_id: filter.endpoint_id } : {};
    return (await api.post<{ replayed: number }>('/v1/dead-letter/replay', body)).replayed;
  }
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<Page<Delivery>>('/v1/dead-letter', {
      ...filter,
      cursor,
      limit: LIST_PAGE,
    });
    ids.push(...page.data.map((d) => d.id));
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return replayIds(api, ids);
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
