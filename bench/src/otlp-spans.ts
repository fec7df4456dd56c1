// Reads just enough of an OTLP/HTTP traces body (protobuf: opentelemetry-proto's
// ExportTraceServiceRequest) to count its spans by `service.name`, so the sink needs no protobuf
// library: the bench counts what tracing sent, it does not look at the spans.

/** One field of a protobuf message: its number, and its bytes when length-delimited. */
interface Field {
  number: number;
  bytes: Uint8Array | undefined;
}

// Wire types (protobuf encoding); groups (3 and 4) are deprecated and no OTLP message has one.
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

function varint(buffer: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < buffer.length; i++) {
    const byte = buffer[i]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, i + 1];
    scale *= 128;
  }
  throw new Error('protobuf: a varint runs past the end');
}

/** The fields of one message, in order; throws on bytes that are not protobuf. */
function* fields(buffer: Uint8Array): Generator<Field> {
  let at = 0;
  while (at < buffer.length) {
    const [key, afterKey] = varint(buffer, at);
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    let bytes: Uint8Array | undefined;
    if (wireType === VARINT) at = varint(buffer, afterKey)[1];
    else if (wireType === I64) at = afterKey + 8;
    else if (wireType === I32) at = afterKey + 4;
    else if (wireType === LEN) {
      const [length, start] = varint(buffer, afterKey);
      at = start + length;
      bytes = buffer.subarray(start, at);
    } else throw new Error(`protobuf: wire type ${wireType} in field ${number}`);
    if (at > buffer.length) throw new Error(`protobuf: field ${number} runs past the end`);
    yield { number, bytes };
  }
}

/** The length-delimited fields numbered `number` of a message. */
function* children(message: Uint8Array, number: number): Generator<Uint8Array> {
  for (const field of fields(message))
    if (field.number === number && field.bytes) yield field.bytes;
}

const text = new TextDecoder();

/** A Resource's `service.name` (a KeyValue of attributes = 1, its AnyValue's string_value = 1). */
function serviceName(resource: Uint8Array): string | undefined {
  for (const attribute of children(resource, 1)) {
    const [key] = children(attribute, 1);
    if (!key || text.decode(key) !== 'service.name') continue;
    const [value] = children(attribute, 2);
    const [name] = value ? children(value, 1) : [];
    return name ? text.decode(name) : undefined;
  }
  return undefined;
}

/**
 * The spans of an ExportTraceServiceRequest by service: resource_spans = 1, each with its
 * resource = 1 and scope_spans = 2, each of those with spans = 2. A resource without a
 * `service.name` counts as `(none)`.
 */
export function countSpans(body: Uint8Array): Map<string, number> {
  const spans = new Map<string, number>();
  for (const resourceSpans of children(body, 1)) {
    const [resource] = children(resourceSpans, 1);
    const service = (resource && serviceName(resource)) ?? '(none)';
    let count = 0;
    for (const scopeSpans of children(resourceSpans, 2))
      for (const _ of children(scopeSpans, 2)) count++;
    spans.set(service, (spans.get(service) ?? 0) + count);
  }
  return spans;
}
