import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/** A button that asks once more, in place, before a destructive action. */
export function ConfirmButton({
  children,
  question,
  onConfirm,
  danger = false,
  disabled = false,
}: {
  children: ComponentChildren;
  question: string;
  onConfirm: () => void | Promise<unknown>;
  danger?: boolean;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button
        type="button"
        class={danger ? 'button button-danger' : 'button'}
        disabled={disabled}
        onClick={() => setAsking(true)}
      >
        {children}
      </button>
    );
  return (
    <span class="confirm">
      <span>{question}</span>
      <button
        type="button"
        class={danger ? 'button button-danger' : 'button button-primary'}
        onClick={() => {
          setAsking(false);
          void onConfirm();
        }}
      >
        Yes
      </button>
      <button type="button" class="button" onClick={() => setAsking(false)}>
        No
      </button>
    </span>
  );
}
