import { useState } from 'preact/hooks';

/** The key, typed or pasted. It is kept in this tab only and sent only to this server. */
export function SignIn({
  onSubmit,
  error,
  busy,
}: {
  onSubmit: (key: string) => void;
  error: string | undefined;
  busy: boolean;
}) {
  const [key, setKey] = useState('');
  return (
    <main class="sign-in">
      <form
        class="card sign-in-card"
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) onSubmit(key.trim());
        }}
      >
        <div class="brand brand-large">
          <span class="brand-mark" aria-hidden="true" />
          Hookline
        </div>
        <p class="muted">
          Sign in with an API key: an operator key sees everything, a tenant key its own endpoints
          and deliveries.
        </p>
        <label class="field">
          <span>API key</span>
          <input
            class="input mono"
            type="password"
            name="key"
            autoComplete="off"
            spellcheck={false}
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            autoFocus
          />
        </label>
        {error && (
          <div class="alert alert-error" role="alert">
            {error}
          </div>
        )}
        <button
          type="submit"
          class="button button-primary button-wide"
          disabled={busy || !key.trim()}
        >
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="hint">
          The key stays in this browser tab (session storage) and is sent only to this server.
        </p>
      </form>
    </main>
  );
}
