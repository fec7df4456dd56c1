import { isoToLocalInput, localInputToIso } from '../format';
import { TextField } from './text-field';

/** A filter form's draft: each field's text, unset when empty. */
export type Draft<K extends string> = Partial<Record<K, string>>;

interface FieldProps<K extends string> {
  name: K;
  label: string;
  draft: Draft<K>;
  setDraft: (draft: Draft<K>) => void;
}

/** A text filter (an id, a name): monospaced, as the values are. */
export function TextFilter<K extends string>({
  name,
  label,
  placeholder,
  draft,
  setDraft,
}: FieldProps<K> & { placeholder: string }) {
  return (
    <TextField
      label={label}
      name={name}
      value={draft[name] ?? ''}
      onInput={(value) => setDraft({ ...draft, [name]: value })}
      placeholder={placeholder}
    />
  );
}

/** A time filter: the browser's local time, sent as ISO 8601. */
export function TimeFilter<K extends string>({ name, label, draft, setDraft }: FieldProps<K>) {
  return (
    <label class="field">
      <span>{label}</span>
      <input
        class="input"
        type="datetime-local"
        step={1}
        name={name}
        value={isoToLocalInput(draft[name])}
        onInput={(e) => setDraft({ ...draft, [name]: localInputToIso(e.currentTarget.value) })}
      />
    </label>
  );
}
