import { formatTime, relativeTime } from '../format';

/** A time as local date and time, with how long ago in a tooltip. */
export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={`${relativeTime(iso)} (${iso})`}>
      {formatTime(iso)}
    </time>
  );
}
