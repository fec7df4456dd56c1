import { DeadLetterQuery, DeliveryListQuery, DeliverySearchQuery } from './deliveries';
import { EndpointListQuery } from './endpoints';
import { EventListQuery } from './events';
import { TenantListQuery } from './tenants';

const LIST_QUERIES = {
  EndpointListQuery,
  EventListQuery,
  DeliveryListQuery,
  DeliverySearchQuery,
  DeadLetterQuery,
  TenantListQuery,
};

const lists = Object.entries(LIST_QUERIES);

// What Number() (and so z.coerce.number) reads as a number but no client writes for one.
test.each(['1e2', '0x10', '0b11', '0o7', ' 5', '5 ', '+5', '-5', '5.0', '', 'Infinity'])(
  'limit=%j is refused at limit by every list',
  (limit) => {
    for (const [name, query] of lists) {
      const result = query.safeParse({ limit });
      expect({ name, paths: result.error?.issues.map((i) => i.path) }).toEqual({
        name,
        paths: [['limit']],
      });
    }
  },
);

test.each([
  ['1', 1],
  ['250', 250],
  ['050', 50],
])('limit=%j is %d on every list', (limit, expected) => {
  for (const [, query] of lists) expect(query.parse({ limit }).limit).toBe(expected);
});

test.each(['0', '251', '99999999999999999999'])('limit=%j is out of range', (limit) => {
  for (const [, query] of lists) expect(query.safeParse({ limit }).success).toBe(false);
});
