/**
 * The size of every event's `data` as JSON, in bytes. 1,000 rather than 1,024: a batch of 1,000
 * events of 1 KiB of data each is ~1.06 MB with its JSON around it, over the API's 1 MiB body
 * limit, while 1,000 × 1,000 bytes fits with room to spare. Every case, the peer and the
 * ceilings included, sends the same size.
 */
export const DATA_BYTES = 1_000;

/** An event's `data`: the sequence number the receiver matches on, padded to {@link DATA_BYTES}. */
export function eventData(seq: number): Record<string, unknown> {
  const base = { bench_seq: seq, order_id: `ord_${seq.toString(36)}`, pad: '' };
  const pad = Math.max(0, DATA_BYTES - JSON.stringify(base).length);
  return { ...base, pad: 'x'.repeat(pad) };
}

/** The body a receiver gets for an event, shaped like Hookline's (docs/api.md, "What a receiver gets"). */
export function eventBody(id: string, name: string, seq: number): string {
  return JSON.stringify({ id, name, data: eventData(seq), created_at: new Date().toISOString() });
}
