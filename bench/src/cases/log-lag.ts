import type { ApiClient } from '../api-client';
import type { BenchCase } from '../case';
import { sleep } from '../clock';
import { freshPrefix } from '../hookline';
import { eventJson } from '../hookline-api';
import { summarize } from '../stats';
import { measureSteady } from '../steady-run';

/** How often the list is read: the lag is known to within this, plus the list request's time. */
const POLL_MS = 20;
/** Probe events published a second beside the end-to-end load, each to the probe endpoint only. */
const PROBES_PER_SECOND = 20;
/** A list's page: far more than the probes that can settle between two reads. */
const PAGE = 10;
/** How long the list is still read after the load, for the probes not yet seen. */
const SETTLE_MS = 30_000;
const PROBE = 'bench.lag';

interface ListedDelivery {
  id: string;
  status: string;
  created_at: string;
  attempts: { at: string; duration_ms: number }[];
}

/**
 * Reads an endpoint's delivered deliveries, newest first, every {@link POLL_MS}, and notes for each
 * the lag from its `delivered` change to the first answer that lists it: the change is made as
 * its last attempt ends (`at` + `duration_ms`, the dispatcher's clock; the same machine's as this
 * one's `Date.now`), and it is visible by the time the answer is back.
 */
class ListWatch {
  /** Lag (ms) of each delivery seen, by id, with its creation time. */
  readonly lags = new Map<string, { createdAt: number; lagMs: number }>();
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly api: ApiClient,
    endpointId: string,
  ) {
    // The newest first: a probe settled since the last read is on the first page.
    const path = `/v1/deliveries?endpoint_id=${endpointId}&status=delivered&limit=${PAGE}`;
    this.loop = (async () => {
      while (this.running) {
        const started = Date.now();
        const answer = await this.api
          .request<{ data: ListedDelivery[] }>('GET', path)
          .catch(() => undefined);
        const seenAt = Date.now();
        for (const d of answer?.status === 200 ? answer.body.data : []) {
          const last = d.attempts.at(-1);
          if (this.lags.has(d.id) || !last) continue;
          this.lags.set(d.id, {
            createdAt: Date.parse(d.created_at),
            lagMs: seenAt - (Date.parse(last.at) + last.duration_ms),
          });
        }
        await sleep(Math.max(0, POLL_MS - (Date.now() - started)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

/** Publishes a probe event every `1000 / PROBES_PER_SECOND` ms until stopped; counts the 202s. */
class Probes {
  accepted = 0;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(api: ApiClient) {
    this.loop = (async () => {
      for (let seq = 0; this.running; seq++) {
        const started = Date.now();
        const answer = await api
          .request('POST', '/v1/events', eventJson(PROBE, seq))
          .catch(() => undefined);
        if (answer?.status === 202) this.accepted += 1;
        await sleep(Math.max(0, 1000 / PROBES_PER_SECOND - (Date.now() - started)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

/**
 * The log's lag at the end-to-end case's load: single publishes at `e2eRate`/s to one endpoint
 * (measured as the end-to-end case is, steady-run.ts), and beside them 20 probe events a second
 * to a probe endpoint of their own, whose delivered deliveries are listed every 20 ms; a probe's
 * lag is its `delivered` change → the first list that shows it. Probes rather than the load's own
 * deliveries: listing those 500 a second would load the producer the figure is about, and a page
 * that could not hold them all would keep the newest, the least late. A case of its own, so that
 * the reads do not weigh on the end-to-end figures.
 */
export const logLag: BenchCase = {
  id: 'log-lag',
  title: 'Hookline log lag',
  hookline: true,
  async run(context) {
    const { sizes, receiver, hookline, progress } = context;
    const prefix = freshPrefix('lag');
    const tag = `lag-${Date.now().toString(36)}`;
    const producer = await hookline.startProducer(prefix, { connections: 64 });
    const dispatcher = await hookline.startDispatcher(prefix);
    try {
      progress(0, 'starting the dispatcher');
      await dispatcher.healthy;
      const { api } = producer;
      await api.expect(201, 'POST', '/v1/endpoints', {
        url: receiver.url('r', tag),
        event_types: ['bench.e2e'],
      });
      const probe = await api.expect<{ id: string }>(201, 'POST', '/v1/endpoints', {
        url: receiver.url('c', `${tag}-probe`),
        event_types: [PROBE],
      });
      const watch = new ListWatch(api, probe.id);
      const probes = new Probes(api);
      const measuredFrom = Date.now() + sizes.e2eWarmupSeconds * 1000;
      let steady;
      try {
        steady = await measureSteady({ api, tag }, context);
        await probes.stop();
        progress(1, 'waiting for the last probes to be listed');
        const deadline = Date.now() + SETTLE_MS;
        while (watch.lags.size < probes.accepted && Date.now() < deadline) await sleep(100);
      } finally {
        await probes.stop();
        await watch.stop();
      }
      const measured = [...watch.lags.values()].filter((l) => l.createdAt >= measuredFrom);
      return {
        logLag: {
          rate: steady.rate,
          seconds: steady.seconds,
          pollMs: POLL_MS,
          probes: probes.accepted,
          seen: watch.lags.size,
          lagMs: summarize(measured.map((l) => l.lagMs)),
        },
      };
    } finally {
      await dispatcher.stop();
      await producer.stop();
    }
  },
};
