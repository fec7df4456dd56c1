import { useState } from 'preact/hooks';

/** A test event's name and data (JSON), for `POST /v1/endpoints/:id/test`. */
export function TestSendForm({
  onSend,
  onCancel,
}: {
  onSend: (body: { name: string; data: unknown }) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [name, setName] = useState('test.ping');
  const [data, setData] = useState('{\n  "hello": "world"\n}');
  const [invalid, setInvalid] = useState<string>();
  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        let parsed: unknown;
        try {
          parsed = data.trim() === '' ? {} : JSON.parse(data);
        } catch (error) {
          setInvalid(`data is not JSON: ${(error as Error).message}`);
          return;
        }
        setInvalid(undefined);
        void onSend({ name: name.trim(), data: parsed });
      }}
    >
      <div class="form-grid">
        <label class="field">
          <span>Event name</span>
          <input
            class="input mono"
            name="test_name"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label class="field field-wide">
          <span>Data (JSON)</span>
          <textarea
            class="input mono"
            name="test_data"
            rows={4}
            value={data}
            onInput={(e) => setData(e.currentTarget.value)}
          />
        </label>
      </div>
      {invalid && (
        <div class="alert alert-error" role="alert">
          {invalid}
        </div>
      )}
      <div class="form-actions">
        <button type="submit" class="button button-primary">
          Send test
        </button>
        <button type="button" class="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
