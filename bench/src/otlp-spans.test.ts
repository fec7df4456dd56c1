import { countSpans } from './otlp-spans';

// A protobuf encoder just big enough for these messages, written from the encoding's spec.
const varint = (n: number): number[] => {
  const bytes: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) bytes.push((n % 128) | 0x80);
  bytes.push(n);
  return bytes;
};
const message = (number: number, ...parts: Uint8Array[]): Uint8Array => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([...varint(number * 8 + 2), ...varint(body.length)]), body]);
};
const string = (number: number, value: string) => message(number, Buffer.from(value, 'utf8'));
const fixed64 = (number: number) => Buffer.from([number * 8 + 1, 1, 2, 3, 4, 5, 6, 7, 8]);
const integer = (number: number, value: number) =>
  Buffer.from([...varint(number * 8), ...varint(value)]);

const attribute = (key: string, value: string) =>
  message(1, string(1, key), message(2, string(1, value)));
// A Span with a trace id, a name, a start time (fixed64) and a kind (varint).
const span = (name: string) =>
  message(2, string(1, 'trace-id-bytes'), string(5, name), integer(6, 2), fixed64(7));
const resourceSpans = (service: string | undefined, ...scopes: Uint8Array[][]) =>
  message(
    1,
    message(
      1,
      attribute('host.name', 'bench'),
      ...(service ? [attribute('service.name', service)] : []),
    ),
    ...scopes.map((spans) => message(2, message(1, string(1, 'hookline')), ...spans)),
  );

describe('countSpans', () => {
  it('counts the spans of every scope under each resource’s service.name', () => {
    const body = Buffer.concat([
      resourceSpans('hookline-dispatcher', [span('a'), span('b')], [span('c')]),
      resourceSpans('hookline-producer', [span('d')]),
      resourceSpans('hookline-dispatcher', [span('e')]),
    ]);
    expect(Object.fromEntries(countSpans(body))).toEqual({
      'hookline-dispatcher': 4,
      'hookline-producer': 1,
    });
  });

  it('counts spans of a resource without service.name as (none), and an empty request as none at all', () => {
    expect(Object.fromEntries(countSpans(resourceSpans(undefined, [span('a')])))).toEqual({
      '(none)': 1,
    });
    expect(countSpans(new Uint8Array(0)).size).toBe(0);
  });

  it('counts past a span of more than 127 bytes (a varint length of two bytes)', () => {
    const long = span('x'.repeat(300));
    expect(countSpans(resourceSpans('svc', [long, span('y')])).get('svc')).toBe(2);
  });

  it('refuses bytes that are not protobuf', () => {
    expect(() => countSpans(Buffer.from('{"resourceSpans":[]}'))).toThrow(/protobuf/);
  });
});
