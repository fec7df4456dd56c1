/** A path with each id escaped: an id is the caller's text, and `../` must not walk the API. */
export function path(strings: TemplateStringsArray, ...ids: string[]): string {
  return strings.reduce(
    (out, part, i) => out + part + (i < ids.length ? encodeURIComponent(ids[i]!) : ''),
    '',
  );
}
