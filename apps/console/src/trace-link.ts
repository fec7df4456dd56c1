// `HOOKLINE_TRACE_URL`, as the producer writes it into the page (apps/producer/src/console.ts):
// a meta tag, since the page's policy allows no inline script and the console has no other
// settings to fetch.

const TRACE_URL_META = 'meta[name="hookline-trace-url"]';
const PLACEHOLDER = '{trace_id}';

/** The link template of this console's producer, or undefined when it has none. */
export function traceUrlTemplate(doc: Document = document): string | undefined {
  return doc.querySelector<HTMLMetaElement>(TRACE_URL_META)?.content || undefined;
}

/**
 * Where a trace id links to, or undefined for plain text. The producer checked the template at
 * start; an http(s) link is still all the console makes of it, so nothing the page carries can
 * become a `javascript:` link.
 */
export function traceLink(traceId: string, template = traceUrlTemplate()): string | undefined {
  if (!template?.includes(PLACEHOLDER)) return undefined;
  const url = template.replaceAll(PLACEHOLDER, encodeURIComponent(traceId));
  return /^https?:\/\//i.test(url) ? url : undefined;
}
