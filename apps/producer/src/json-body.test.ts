import { isJsonType, nestsDeeperThan } from './json-body';

test('JSON media types are application/json and application/*+json, any parameters', () => {
  for (const type of [
    'application/json',
    'Application/JSON; charset=utf-8',
    'application/merge-patch+json',
    'application/vnd.api+json',
  ]) {
    expect(isJsonType(type)).toBe(true);
  }
  for (const type of [
    'text/plain',
    'text/json',
    'application/jsonp',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    '',
  ]) {
    expect(isJsonType(type)).toBe(false);
  }
});

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { x: value };
  return value;
};

test('nesting is measured in objects and arrays, scalars at the bottom not counted', () => {
  expect(nestsDeeperThan(1, 0)).toBe(false);
  expect(nestsDeeperThan({}, 1)).toBe(false);
  expect(nestsDeeperThan(nested(64), 64)).toBe(false);
  expect(nestsDeeperThan(nested(65), 64)).toBe(true);
  expect(nestsDeeperThan({ wide: Array.from({ length: 1000 }, () => ({ a: [1] })) }, 4)).toBe(
    false,
  );
});

test('a depth far beyond the call stack is measured without overflowing it', () => {
  expect(nestsDeeperThan(JSON.parse('['.repeat(300_000) + ']'.repeat(300_000)), 64)).toBe(true);
});
