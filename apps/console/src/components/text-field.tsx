/** A labelled one-line text input in the form grid, in monospace: ids, names, keys, URLs. */
export function TextField({
  label,
  name,
  value,
  onInput,
  placeholder = '',
  required = false,
}: {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  placeholder?: string;
  required?: boolean;
}) {
  return (
    <label class="field">
      <span>{label}</span>
      <input
        class="input mono"
        name={name}
        autoComplete="off"
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
        required={required}
        placeholder={placeholder}
      />
    </label>
  );
}
