import { int, ms } from './format';
import type { Report } from './report';

interface Bar {
  label: string;
  value: number;
  kind: 'ceiling' | 'reference' | 'hookline';
  text: string;
}

const COLORS: Record<Bar['kind'], string> = {
  ceiling: '#9aa5b1',
  reference: '#e8923a',
  hookline: '#2b6cb0',
};
const WIDTH = 920;
const LABEL_WIDTH = 250;
const BAR_AREA = 520;
const ROW = 26;

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One panel of horizontal bars on a linear scale from 0; returns its SVG and height. */
function panel(
  title: string,
  bars: Bar[],
  top: number,
  marker?: { value: number; label: string },
): { svg: string; height: number } {
  const max = Math.max(...bars.map((b) => b.value), marker?.value ?? 0) * 1.08;
  const x = (v: number) => LABEL_WIDTH + (v / max) * BAR_AREA;
  const parts = [`<text x="16" y="${top + 18}" class="title">${escape(title)}</text>`];
  bars.forEach((bar, i) => {
    const y = top + 32 + i * ROW;
    parts.push(
      `<text x="${LABEL_WIDTH - 10}" y="${y + 15}" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y + 3}" width="${Math.max(1, x(bar.value) - LABEL_WIDTH).toFixed(1)}" height="${ROW - 8}" fill="${COLORS[bar.kind]}" rx="2"/>`,
      `<text x="${(x(bar.value) + 6).toFixed(1)}" y="${y + 15}" class="value">${escape(bar.text)}</text>`,
    );
  });
  const bottom = top + 32 + bars.length * ROW;
  if (marker) {
    const mx = x(marker.value).toFixed(1);
    parts.push(
      `<line x1="${mx}" y1="${top + 28}" x2="${mx}" y2="${bottom}" stroke="#c53030" stroke-dasharray="4 3"/>`,
      `<text x="${mx}" y="${bottom + 14}" text-anchor="middle" class="note" fill="#c53030">${escape(marker.label)}</text>`,
    );
  }
  return { svg: parts.join('\n'), height: bottom - top + (marker ? 24 : 8) };
}

/** Throughput bars (ceilings, each reference beside Hookline) and latency bars, or undefined with too little measured. */
export function renderChart(report: Report): string | undefined {
  const r = report.results;
  const throughput: Bar[] = [];
  const add = (label: string, value: number | undefined, kind: Bar['kind'], unit: string) => {
    if (value !== undefined && Number.isFinite(value))
      throughput.push({ label, value, kind, text: `${int(value)} ${unit}` });
  };
  add('ceiling: signed POST', r.signedPost?.perSecond, 'ceiling', 'req/s');
  add('ceiling: BullMQ no-op', r.bullmqNoop?.perSecond, 'ceiling', 'jobs/s');
  add('ceiling: composite', report.compositeCeiling ?? undefined, 'ceiling', 'deliveries/s');
  add('bare worker drain', r.bareWorker?.perSecond, 'reference', 'deliveries/s');
  add('Hookline drain', r.drain?.perSecond, 'hookline', 'deliveries/s');
  add('Hookline drain, tracing on', r.drainTraced?.perSecond, 'hookline', 'deliveries/s');
  add('Hookline drain, ordered by resource', r.drainOrdered?.perSecond, 'hookline', 'deliveries/s');
  add('bare AMQP publisher', r.bareAmqpPublisher?.perSecond, 'reference', 'messages/s');
  add('Hookline drain to RabbitMQ', r.drainRabbitmq?.perSecond, 'hookline', 'deliveries/s');
  add('bare pipeline single publish', r.barePublish?.single.perSecond, 'reference', 'req/s');
  add('Hookline single publish', r.publish?.single.perSecond, 'hookline', 'req/s');
  add(
    'Hookline single publish, tracing on',
    r.publishTraced?.single.perSecond,
    'hookline',
    'req/s',
  );
  add('bare pipeline batch publish', r.barePublish?.batch.perSecond, 'reference', 'events/s');
  add('Hookline batch publish', r.publish?.batch.perSecond, 'hookline', 'events/s');
  add('Hookline fan-out', r.fanout?.perSecond, 'hookline', 'deliveries/s');
  add('Hookline drain, cluster of 1', r.clusterDrain1?.perSecond, 'hookline', 'deliveries/s');
  add('Hookline drain, cluster of 3', r.clusterDrain3?.perSecond, 'hookline', 'deliveries/s');

  const latency: Bar[] = [];
  const lat = (label: string, value: number | undefined, kind: Bar['kind']) => {
    if (value !== undefined && Number.isFinite(value))
      latency.push({ label, value, kind, text: ms(value) });
  };
  lat('bare single publish p99', r.barePublish?.single.latencyMs.p99, 'reference');
  lat('Hookline single publish p99', r.publish?.single.latencyMs.p99, 'hookline');
  lat('bare end to end p50', r.bareE2e?.latencyMs.p50, 'reference');
  lat('Hookline end to end p50', r.e2e?.latencyMs.p50, 'hookline');
  lat('bare end to end p99', r.bareE2e?.latencyMs.p99, 'reference');
  lat('Hookline end to end p99', r.e2e?.latencyMs.p99, 'hookline');
  if (throughput.length < 2) return undefined;

  const first = panel(
    'Throughput, per second — one run, same Redis, same receiver (orange: bare reference)',
    throughput,
    10,
  );
  const second =
    latency.length > 0
      ? panel(
          `Latency, ms — single publish: the request; end to end: publish → receipt at ${int(r.e2e?.rate ?? r.bareE2e?.rate ?? 0)} events/s`,
          latency,
          20 + first.height,
        )
      : { svg: '', height: 0 };
  const { run } = report;
  const footY = 40 + first.height + second.height;
  const foot = `${run.quick ? 'quick run (--quick), ' : ''}${run.startedAt} · Node ${run.node} · Redis ${run.redis} · ${run.cpus} CPUs · load ${run.loadAverage.start.toFixed(2)}→${run.loadAverage.end.toFixed(2)}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${footY + 16}" viewBox="0 0 ${WIDTH} ${footY + 16}" font-family="system-ui, sans-serif" font-size="12">`,
    '<style>.title{font-size:14px;font-weight:600}.value{fill:#222}.note{font-size:11px}</style>',
    `<rect width="100%" height="100%" fill="#fff"/>`,
    first.svg,
    second.svg,
    `<text x="16" y="${footY}" class="note" fill="#555">${escape(foot)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
