import type { AttemptError, EndpointType } from '@hookline/api';
import type { StoredEndpoint } from '@hookline/core';
import type { Attributes, SpanKind } from '@opentelemetry/api';

/**
 * What one attempt's outcome means for its delivery: delivered; retried (no earlier than
 * `afterMs` after the answer, when the destination asked for a pause, e.g. HTTP's Retry-After);
 * or gone for good, which dead-letters it and disables its endpoint.
 */
export type Verdict =
  | { kind: 'delivered' }
  | { kind: 'retry'; afterMs?: number | undefined }
  | { kind: 'gone'; reason: string };

/** One attempt's result, in the terms the delivery pipeline, the attempt log and the metrics use. */
export interface AttemptResult {
  verdict: Verdict;
  /** `hookline_delivery_attempts_total`'s `result` and the span's `hookline.outcome`. */
  result: 'success' | 'http_error' | AttemptError;
  /** The attempt log's fields: a status code where the protocol has one, and an excerpt of the answer. */
  statusCode: number | null;
  error: AttemptError | null;
  excerpt: string;
  durationMs: number;
  /**
   * How the endpoint's gate counts it: `failure` only when the destination did not answer in time
   * or could not be reached (which is what the circuit breaker and the slow-endpoint limit are for).
   */
  gate: 'success' | 'failure' | 'neutral';
  /** The failure's description: the span's error status (never kept with the attempt). */
  message?: string;
  /** Something for the operator to fix, logged with the endpoint; the attempt keeps only its kind. */
  warning?: string;
  /** The span's attributes of the outcome, in its protocol's semantic conventions. */
  spanAttributes: Attributes;
}

/** One attempt to make. */
export interface AttemptInput {
  endpoint: StoredEndpoint;
  deliveryId: string;
  /** Absent on test sends: they carry no `Event-Id`. */
  eventId: string | undefined;
  /** The event's name: a messaging destination may route by it. */
  eventName: string;
  /** This attempt's number (`Webhook-Attempt`). */
  attempt: number;
  /** Its place in its line (`Webhook-Sequence`), for a delivery of an ordered endpoint. */
  sequence?: number | undefined;
  /** The JSON a webhook gets. */
  body: string;
  /** ms since the epoch: the signature's timestamp. */
  now: number;
  /** The W3C trace context the message carries. */
  trace: { traceparent: string; tracestate?: string };
}

/** What an attempt's span is: its name, kind and the attributes saying where it goes. */
export interface SpanShape {
  name: string;
  kind: SpanKind;
  attributes: Attributes;
}

/**
 * A kind of destination: everything that knows its protocol. It holds its connections (pooled,
 * reused across deliveries), builds and signs the message, sends it, and says what the outcome
 * means. The delivery pipeline (deliver.ts) knows nothing else of it.
 */
export interface Destination {
  readonly type: EndpointType;
  /** The attempt span's shape for this endpoint, in its protocol's semantic conventions. */
  span(endpoint: StoredEndpoint): SpanShape;
  /** Makes one attempt. Never throws for the destination's own failures: they are results. */
  attempt(input: AttemptInput): Promise<AttemptResult>;
  /** Closes what it holds for the endpoint: it changed, or it is gone. */
  forget(endpointId: string): void;
  /** Closes every connection (shutdown). */
  close(): Promise<void>;
}
