import { ApiError } from './api/api-error';
import { fetchMetrics, type Api } from './api/client';
import { listEvents } from './api/event-deliveries';
import type { Delivery, Endpoint, HooklineEvent, Page, TenantCounts } from './api/types';
import { queueFigures } from './figures/prometheus';
import { countStatuses, successRatio, type StatusCounts } from './figures/success-ratio';
import type { Identity } from './session/identity';

export interface Figure {
  label: string;
  value: string;
  note: string;
  tone: 'good' | 'warn' | 'bad' | 'plain';
}

/**
 * How many recent events the success ratio is taken over. The event list does not carry
 * deliveries, so each of these is one more request per refresh (see api/event-deliveries.ts):
 * 25 keeps an open overview at about 30 requests every 2.5 s.
 */
export const RECENT_EVENTS = 25;
// Without an event list (an older server): the latest deliveries of the first endpoints.
const FALLBACK_ENDPOINTS = 10;
const FALLBACK_DELIVERIES = 20;

interface Sample {
  counts: StatusCounts;
  what: string;
  /** The latest events with their deliveries, newest first; undefined without an event list. */
  events?: HooklineEvent[];
}

/** The statuses of recent deliveries: those of the latest events, else of the first endpoints'. */
async function recentSample(api: Api): Promise<Sample> {
  try {
    const { data: events } = await listEvents(api, { limit: RECENT_EVENTS });
    const statuses = events.flatMap((e) => (e.deliveries ?? []).map((d) => d.status));
    return {
      counts: countStatuses(statuses),
      what: `the deliveries of the latest ${events.length} events`,
      events,
    };
  } catch (error) {
    if (!(error instanceof ApiError && error.noRoute)) throw error;
  }
  const endpoints = await api.get<Page<Endpoint>>('/v1/endpoints', { limit: FALLBACK_ENDPOINTS });
  const pages = await Promise.all(
    endpoints.data.map((e) =>
      api.get<Page<Delivery>>(`/v1/endpoints/${e.id}/deliveries`, { limit: FALLBACK_DELIVERIES }),
    ),
  );
  return {
    counts: countStatuses(pages.flatMap((p) => p.data.map((d) => d.status))),
    what: `the latest deliveries of ${endpoints.data.length} endpoints (up to ${FALLBACK_DELIVERIES} each)`,
  };
}

// Keys that `GET /v1/tenants/:id` refused (a server without tenant routes, or one that keeps the
// route to operators): not asked again on every refresh of the same session.
const countsRefused = new WeakSet<Api>();

/** A tenant's own counts, or undefined when the API does not give them to its key. */
async function tenantCounts(api: Api, tenantId: string): Promise<TenantCounts | undefined> {
  if (countsRefused.has(api)) return undefined;
  try {
    return await api.get<TenantCounts>(`/v1/tenants/${encodeURIComponent(tenantId)}`);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 403 || error.noRoute))
      countsRefused.add(api);
    return undefined;
  }
}

const count = (n: number) => n.toLocaleString('en');

/** Pending and dead-letter counts: the whole system's from /metrics, a tenant's from its route. */
async function backlog(
  api: Api,
  identity: Identity,
  sample: Sample,
): Promise<{ pending: Figure; dead: Figure }> {
  if (identity.kind === 'operator') {
    const figures = await fetchMetrics()
      .then(queueFigures)
      .catch(() => ({ pending: undefined, deadLetter: undefined }));
    if (figures.pending !== undefined && figures.deadLetter !== undefined) {
      return {
        pending: figure(
          'Pending',
          count(figures.pending),
          'deliveries queued or waiting to retry',
          figures.pending > 0 ? 'warn' : 'plain',
        ),
        dead: figure(
          'Dead letter',
          count(figures.deadLetter),
          'deliveries that used every attempt',
          figures.deadLetter > 0 ? 'bad' : 'good',
        ),
      };
    }
  } else if (identity.tenantId !== null) {
    const counts = await tenantCounts(api, identity.tenantId);
    if (counts) {
      return {
        pending: figure(
          'Pending',
          count(counts.pending),
          'deliveries queued or waiting to retry',
          counts.pending > 0 ? 'warn' : 'plain',
        ),
        dead: figure(
          'Dead letter',
          count(counts.dead_letter),
          'deliveries that used every attempt',
          counts.dead_letter > 0 ? 'bad' : 'good',
        ),
      };
    }
  }
  // Neither source answered: count what the API lists.
  const dead = await api.get<Page<Delivery>>('/v1/dead-letter', { limit: 250 });
  const deadText = `${dead.data.length}${dead.next_cursor ? '+' : ''}`;
  const pending = sample.counts.pending + sample.counts.failed;
  return {
    pending: figure('Pending', count(pending), `in ${sample.what}`, pending > 0 ? 'warn' : 'plain'),
    dead: figure(
      'Dead letter',
      deadText,
      'deliveries that used every attempt',
      dead.data.length > 0 ? 'bad' : 'good',
    ),
  };
}

function figure(label: string, value: string, note: string, tone: Figure['tone']): Figure {
  return { label, value, note, tone };
}

export interface Overview {
  /** Pending, dead letter, success ratio of recent deliveries. */
  figures: Figure[];
  /** The events the ratio was taken over, with their deliveries; undefined without an event list. */
  events?: HooklineEvent[];
}

/** The overview's figures, and the latest events they were taken from. */
export async function loadOverview(api: Api, identity: Identity): Promise<Overview> {
  const sample = await recentSample(api);
  const { pending, dead } = await backlog(api, identity, sample);
  const ratio = successRatio(sample.counts);
  const settled = sample.counts.delivered + sample.counts.failed + sample.counts.dead;
  const success =
    ratio === undefined
      ? figure('Success ratio', '—', `nothing settled yet in ${sample.what}`, 'plain')
      : figure(
          'Success ratio',
          `${(ratio * 100).toFixed(ratio === 1 ? 0 : 1)}%`,
          `${count(sample.counts.delivered)} delivered of ${count(settled)} settled, in ${sample.what}`,
          ratio >= 0.99 ? 'good' : ratio >= 0.9 ? 'warn' : 'bad',
        );
  return { figures: [pending, dead, success], events: sample.events };
}
