import { useState } from 'preact/hooks';
import type { EndpointAuthInput } from '../api/types';
import { TextField } from './text-field';

/** What the form's Authentication choice is: `keep` (editing only) leaves the endpoint's as is. */
export type AuthChoice = 'keep' | 'none' | EndpointAuthInput['type'];

const orNull = (text: string) => (text.trim() === '' ? null : text.trim());

/**
 * The Authentication part of the endpoint form: none, OAuth 2.0 client credentials or a client
 * certificate. The secrets are written, never read back: the API does not show them, so editing
 * an endpoint offers to keep its authentication, or to replace it whole.
 */
export function useAuthFields(editing: boolean) {
  const [choice, setChoice] = useState<AuthChoice>(editing ? 'keep' : 'none');
  const [tokenUrl, setTokenUrl] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [scope, setScope] = useState('');
  const [audience, setAudience] = useState('');
  const [certificate, setCertificate] = useState('');
  const [key, setKey] = useState('');

  /** `auth` as the API takes it; `undefined` keeps the endpoint's. */
  function value(): EndpointAuthInput | null | undefined {
    switch (choice) {
      case 'keep':
        return undefined;
      case 'none':
        return null;
      case 'oauth2_client_credentials':
        return {
          type: choice,
          token_url: tokenUrl.trim(),
          client_id: clientId.trim(),
          client_secret: clientSecret,
          scope: orNull(scope),
          audience: orNull(audience),
        };
      case 'client_certificate':
        return { type: choice, certificate, key };
      default: {
        const never: never = choice;
        return never;
      }
    }
  }

  function reset() {
    setChoice(editing ? 'keep' : 'none');
    for (const set of [setTokenUrl, setClientId, setClientSecret, setScope, setAudience]) set('');
    setCertificate('');
    setKey('');
  }

  const pem = (label: string, name: string, state: string, set: (value: string) => void) => (
    <label class="field field-wide">
      <span>{label}</span>
      <textarea
        class="input mono"
        name={name}
        rows={4}
        required
        placeholder="-----BEGIN …"
        value={state}
        onInput={(e) => set(e.currentTarget.value)}
      />
    </label>
  );

  const fields = (
    <>
      <label class="field">
        <span>Authentication</span>
        <select
          class="input"
          name="auth_type"
          value={choice}
          onChange={(e) => setChoice(e.currentTarget.value as AuthChoice)}
        >
          {editing && <option value="keep">unchanged</option>}
          <option value="none">none (signature only)</option>
          <option value="oauth2_client_credentials">OAuth 2.0 client credentials</option>
          <option value="client_certificate">client certificate (mutual TLS)</option>
        </select>
      </label>
      {choice === 'oauth2_client_credentials' && (
        <>
          <TextField
            label="Token URL"
            name="token_url"
            value={tokenUrl}
            onInput={setTokenUrl}
            placeholder="https://example.com/oauth/token"
            required
          />
          <TextField
            label="Client id"
            name="client_id"
            value={clientId}
            onInput={setClientId}
            required
          />
          <label class="field">
            <span>Client secret</span>
            <input
              class="input mono"
              type="password"
              name="client_secret"
              autoComplete="off"
              required
              value={clientSecret}
              onInput={(e) => setClientSecret(e.currentTarget.value)}
            />
          </label>
          <TextField
            label="Scope"
            name="scope"
            value={scope}
            onInput={setScope}
            placeholder="none"
          />
          <TextField
            label="Audience"
            name="audience"
            value={audience}
            onInput={setAudience}
            placeholder="none"
          />
        </>
      )}
      {choice === 'client_certificate' && (
        <>
          {pem('Client certificate (PEM)', 'certificate', certificate, setCertificate)}
          {pem('Private key (PEM, unencrypted)', 'key', key, setKey)}
        </>
      )}
    </>
  );
  return { fields, value, reset };
}
