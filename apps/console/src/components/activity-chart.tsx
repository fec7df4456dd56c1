import { useState } from 'preact/hooks';
import type { Activity, ActivityBucket } from '../api/types';
import { usePoll } from '../hooks/use-poll';
import { useSession } from '../session/session';
import { ErrorBox } from './error-box';

/** The series drawn, bottom to top, with the colour each is drawn in (styles.css). */
const SERIES = ['delivered', 'failed', 'dead'] as const satisfies readonly (keyof ActivityBucket)[];
type Series = (typeof SERIES)[number];

const WIDTH = 720;
const HEIGHT = 140;
const PAD = { top: 8, right: 8, bottom: 18, left: 36 };

/** A round axis top at or above `max`: 1, 2 or 5 times a power of ten. */
export function niceCeiling(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** The SVG path of one series stacked on those below it (an area). */
function areaPath(buckets: readonly ActivityBucket[], series: Series, top: number): string {
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const index = SERIES.indexOf(series);
  const below = (b: ActivityBucket) => SERIES.slice(0, index).reduce((sum, s) => sum + b[s], 0);
  const x = (i: number) => PAD.left + (buckets.length <= 1 ? 0 : (i * w) / (buckets.length - 1));
  const y = (v: number) => PAD.top + h - (v / top) * h;
  const upper = buckets.map((b, i) => `${x(i).toFixed(1)},${y(below(b) + b[series]).toFixed(1)}`);
  const lower = buckets.map((b, i) => `${x(i).toFixed(1)},${y(below(b)).toFixed(1)}`).reverse();
  return `M${upper.join('L')}L${lower.join('L')}Z`;
}

const clock = (iso: string) => iso.slice(11, 16);

/**
 * Delivered, failed and dead deliveries per minute over the last hour or day, drawn here from
 * `GET /v1/activity` (the log): no request leaves this origin. An endpoint's, a tenant's (a
 * tenant key's own), or everything's.
 */
export function ActivityChart({ endpointId }: { endpointId?: string }) {
  const { api } = useSession();
  const [window, setWindow] = useState<'1h' | '24h'>('1h');
  const activity = usePoll(
    () => api.get<Activity>('/v1/activity', { window, endpoint_id: endpointId }),
    [window, endpointId],
  );
  const buckets = activity.data?.data ?? [];
  const top = niceCeiling(Math.max(0, ...buckets.map((b) => b.delivered + b.failed + b.dead)));
  const totals = Object.fromEntries(
    SERIES.map((s) => [s, buckets.reduce((sum, b) => sum + b[s], 0)]),
  ) as Record<Series, number>;

  return (
    <section class="card activity" data-activity={window}>
      <div class="card-header">
        <h2>Deliveries per minute</h2>
        <div class="tabs" role="tablist">
          {(['1h', '24h'] as const).map((w) => (
            <button
              key={w}
              type="button"
              role="tab"
              aria-selected={w === window}
              class={w === window ? 'tab active' : 'tab'}
              onClick={() => setWindow(w)}
            >
              {w === '1h' ? 'Last hour' : 'Last day'}
            </button>
          ))}
        </div>
      </div>
      <ErrorBox error={activity.error} />
      <svg
        class="activity-chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Deliveries per minute, ${window === '1h' ? 'last hour' : 'last day'}: ${totals.delivered} delivered, ${totals.failed} failed, ${totals.dead} dead`}
      >
        <line
          class="axis"
          x1={PAD.left}
          y1={HEIGHT - PAD.bottom}
          x2={WIDTH - PAD.right}
          y2={HEIGHT - PAD.bottom}
        />
        <text class="axis-label" x={PAD.left - 4} y={PAD.top + 8} text-anchor="end">
          {top}
        </text>
        <text class="axis-label" x={PAD.left - 4} y={HEIGHT - PAD.bottom} text-anchor="end">
          0
        </text>
        {buckets.length > 0 && (
          <>
            <text class="axis-label" x={PAD.left} y={HEIGHT - 4}>
              {clock(buckets[0]!.at)}
            </text>
            <text class="axis-label" x={WIDTH - PAD.right} y={HEIGHT - 4} text-anchor="end">
              {clock(buckets[buckets.length - 1]!.at)}
            </text>
          </>
        )}
        {buckets.length > 0 &&
          SERIES.map((s) => (
            <path
              key={s}
              class={`series series-${s}`}
              data-series={s}
              d={areaPath(buckets, s, top)}
            />
          ))}
      </svg>
      <div class="legend">
        {SERIES.map((s) => (
          <span key={s} class={`legend-item series-${s}`} data-total={s}>
            {s} <strong>{totals[s].toLocaleString('en')}</strong>
          </span>
        ))}
      </div>
    </section>
  );
}
