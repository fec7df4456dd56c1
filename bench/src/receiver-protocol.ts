/**
 * The receiver child process and the bench talk over IPC. Requests carry an `id` the answer
 * repeats. Paths the receiver serves:
 *
 * - `/c/<tag>/…`: counted. Deliveries are counted once per `webhook-id` (a redelivery with the
 *   same id is a duplicate, counted apart), with the times of the first and last receipt.
 * - `/r/<tag>/…`: counted as above, and the body's `data.bench_seq` recorded with its time of
 *   receipt, for latency.
 *
 * Every request is answered 204 once its body is in.
 */
export type ReceiverRequest = { type: 'stats'; tag: string } | { type: 'samples'; tag: string };
export type ToReceiver = ReceiverRequest & { id: number };

export interface TagStats {
  /** Distinct deliveries (by `webhook-id`, or every request without one). */
  count: number;
  duplicates: number;
  /** ms since the epoch (see clock.ts), or null before the first one. */
  firstAt: number | null;
  lastAt: number | null;
}

export interface Samples {
  /** `data.bench_seq` of each recorded delivery, and its receipt time, index by index. */
  seqs: number[];
  at: number[];
}

export type FromReceiver =
  | { type: 'listening'; port: number }
  | { id: number; type: 'stats'; stats: TagStats }
  | { id: number; type: 'samples'; samples: Samples };
