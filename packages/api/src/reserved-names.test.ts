import { PublishBatch, PublishEvent, TestSend } from './events';
import { isOperationalName } from './operational-events';

const RESERVED = [
  'hookline.delivery.dead',
  'HOOKLINE.delivery.dead',
  'Hookline.endpoint.disabled',
  'hOOkLiNe.anything',
  'hookline.',
];
const FREE = ['hooklinex.y', 'order.hookline.x', 'hookline', 'my-hookline.event'];

test.each(RESERVED)('%j is reserved, whatever its case', (name) => {
  expect(isOperationalName(name)).toBe(true);
});

test.each(FREE)('%j is not reserved', (name) => {
  expect(isOperationalName(name)).toBe(false);
});

test.each(RESERVED)('publishing %j is refused at name, alone or in a batch', (name) => {
  const alone = PublishEvent.safeParse({ name, data: {} });
  expect(alone.success).toBe(false);
  expect(alone.error?.issues.map((i) => i.path)).toEqual([['name']]);
  const batch = PublishBatch.safeParse({
    events: [
      { name: 'order.filled', data: {} },
      { name, data: {} },
    ],
  });
  expect(batch.error?.issues.map((i) => i.path)).toEqual([['events', 1, 'name']]);
});

test.each(RESERVED)('a test send of %j is refused at name', (name) => {
  const send = TestSend.safeParse({ name, data: {} });
  expect(send.success).toBe(false);
  expect(send.error?.issues.map((i) => i.path)).toEqual([['name']]);
});

test.each(FREE)('%j may be published and test-sent', (name) => {
  expect(PublishEvent.safeParse({ name, data: {} }).success).toBe(true);
  expect(TestSend.safeParse({ name, data: {} }).success).toBe(true);
});
