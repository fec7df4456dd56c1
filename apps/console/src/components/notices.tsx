import { useState } from 'preact/hooks';
import { dismiss, useNotices } from '../notices';

/** Copies a value to the clipboard, and says whether it could. */
function CopyButton({ value }: { value: string }) {
  const [said, setSaid] = useState('Copy');
  return (
    <button
      type="button"
      class="button button-quiet"
      onClick={() =>
        void navigator.clipboard.writeText(value).then(
          () => setSaid('Copied'),
          // No clipboard (a page not served over HTTPS, or a browser that refuses): select it.
          () => setSaid('Copy failed: select the text'),
        )
      }
    >
      {said}
    </button>
  );
}

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
              <div class="copy-row">
                <input
                  class="input mono copy"
                  readOnly
                  value={n.value}
                  aria-label="value to copy"
                  onFocus={(e) => e.currentTarget.select()}
                />
                <CopyButton value={n.value} />
              </div>
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
