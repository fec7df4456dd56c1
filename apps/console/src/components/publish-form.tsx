import { useState } from 'preact/hooks';

/** An event to publish (operators only): name, tenant, data as JSON. */
export function PublishForm({
  askTenant,
  onPublish,
  onCancel,
}: {
  askTenant: boolean;
  onPublish: (body: { name: string; data: unknown; tenant_id?: string }) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [name, setName] = useState('');
  const [tenant, setTenant] = useState('');
  const [data, setData] = useState('{}');
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
        void onPublish({
          name: name.trim(),
          data: parsed,
          ...(askTenant && tenant.trim() ? { tenant_id: tenant.trim() } : {}),
        });
      }}
    >
      <div class="form-grid">
        <label class="field">
          <span>Name</span>
          <input
            class="input mono"
            name="publish_name"
            placeholder="order.filled"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        {askTenant && (
          <label class="field">
            <span>Tenant</span>
            <input
              class="input mono"
              name="publish_tenant_id"
              placeholder="none"
              value={tenant}
              onInput={(e) => setTenant(e.currentTarget.value)}
            />
          </label>
        )}
        <label class="field field-wide">
          <span>Data (JSON)</span>
          <textarea
            class="input mono"
            name="publish_data"
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
          Publish
        </button>
        <button type="button" class="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
