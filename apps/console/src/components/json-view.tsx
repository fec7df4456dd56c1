/** JSON as an indented, selectable block. */
export function JsonView({ value }: { value: unknown }) {
  return <pre class="code">{JSON.stringify(value, null, 2)}</pre>;
}
