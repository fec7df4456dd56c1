import { dismiss, useNotices } from '../notices';

/** The results of actions, newest last; errors and values to copy stay until dismissed. */
export function Notices() {
  const notices = useNotices();
  if (notices.length === 0) return null;
  return (
    <div class="notices">
      {notices.map((n) => (
        <div
          key={n.id}
          class={`alert ${n.kind === 'ok' ? 'alert-ok' : 'alert-error'}`}
          role={n.kind === 'ok' ? 'status' : 'alert'}
        >
          <div class="alert-body">
            <div>{n.text}</div>
            {n.value !== undefined && (
              <input
                class="input mono copy"
                readOnly
                value={n.value}
                aria-label="value to copy"
                onFocus={(e) => e.currentTarget.select()}
              />
            )}
          </div>
          <button type="button" class="close" aria-label="dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
