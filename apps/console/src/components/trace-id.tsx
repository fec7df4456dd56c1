import { traceLink } from '../trace-link';

/** A trace id: a link into the tracing UI when the producer has `HOOKLINE_TRACE_URL`, else text. */
export function TraceId({ id }: { id: string }) {
  const link = traceLink(id);
  if (!link)
    return (
      <span class="mono" data-trace={id}>
        {id}
      </span>
    );
  return (
    <a class="mono" data-trace={id} href={link} target="_blank" rel="noopener noreferrer">
      {id}
    </a>
  );
}
