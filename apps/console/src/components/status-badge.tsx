import type { DeliveryStatus } from '../api/types';

export function StatusBadge({ status }: { status: DeliveryStatus }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}

export function EnabledBadge({ disabled }: { disabled: boolean }) {
  return disabled ? (
    <span class="badge badge-dead">disabled</span>
  ) : (
    <span class="badge badge-delivered">enabled</span>
  );
}
