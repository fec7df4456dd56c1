import { DELIVERY_STATUSES } from '../api/types';

/** All, or one delivery status. */
export function StatusTabs({
  value,
  onChange,
}: {
  value: string | undefined;
  onChange: (status: string | undefined) => void;
}) {
  return (
    <div class="tabs" role="tablist">
      {[undefined, ...DELIVERY_STATUSES].map((status) => (
        <button
          key={status ?? 'all'}
          type="button"
          role="tab"
          aria-selected={value === status}
          class={value === status ? 'tab active' : 'tab'}
          onClick={() => onChange(status)}
        >
          {status ?? 'all'}
        </button>
      ))}
    </div>
  );
}
