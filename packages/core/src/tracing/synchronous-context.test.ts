import { ROOT_CONTEXT, createContextKey } from '@opentelemetry/api';
import { SynchronousContextManager } from './synchronous-context';

const KEY = createContextKey('test');
const withValue = (value: string) => ROOT_CONTEXT.setValue(KEY, value);
const valueIn = (manager: SynchronousContextManager) => manager.active().getValue(KEY);

test('with makes a context active for the call, nested calls see the innermost, and the outer one comes back', () => {
  const manager = new SynchronousContextManager();
  const seen: unknown[] = [];
  const result = manager.with(withValue('outer'), () => {
    seen.push(valueIn(manager));
    manager.with(withValue('inner'), () => seen.push(valueIn(manager)));
    seen.push(valueIn(manager));
    return 42;
  });
  expect(result).toBe(42);
  expect(seen).toEqual(['outer', 'inner', 'outer']);
  expect(manager.active()).toBe(ROOT_CONTEXT);
});

test('the outer context comes back when the call throws', () => {
  const manager = new SynchronousContextManager();
  expect(() =>
    manager.with(withValue('a'), () => {
      throw new Error('boom');
    }),
  ).toThrow('boom');
  expect(manager.active()).toBe(ROOT_CONTEXT);
});

test('with passes this and the arguments through', () => {
  const manager = new SynchronousContextManager();
  const target = { base: 1 };
  expect(
    manager.with(
      withValue('a'),
      function (this: typeof target, x: number, y: number) {
        return this.base + x + y;
      },
      target,
      2,
      3,
    ),
  ).toBe(6);
});

test('the context does not follow an await: after it, the caller is back in the outer context', async () => {
  const manager = new SynchronousContextManager();
  const seen: unknown[] = [];
  await manager.with(withValue('a'), async () => {
    seen.push(valueIn(manager));
    await Promise.resolve();
    seen.push(valueIn(manager));
  });
  expect(seen).toEqual(['a', undefined]);
});

test('bind runs a function in the bound context whenever it is called; other values pass unchanged', () => {
  const manager = new SynchronousContextManager();
  const bound = manager.bind(withValue('bound'), function (this: { n: number }, add: number) {
    return [valueIn(manager), this.n + add];
  });
  expect(bound.call({ n: 1 }, 2)).toEqual(['bound', 3]);
  expect(manager.active()).toBe(ROOT_CONTEXT);
  const object = { a: 1 };
  expect(manager.bind(withValue('x'), object)).toBe(object);
});

test('disable drops back to the root context', () => {
  const manager = new SynchronousContextManager();
  manager.with(withValue('a'), () => {
    manager.disable();
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });
});
