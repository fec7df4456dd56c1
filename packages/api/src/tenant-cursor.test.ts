import { TenantListQuery, tenantCursor, tenantOfCursor } from './tenants';

test.each(['acme', 'a', 'Acme.EU:prod_1-x', 'x'.repeat(64)])(
  'a cursor made of tenant %j is taken and names it',
  (tenant) => {
    const cursor = tenantCursor(tenant);
    expect(TenantListQuery.parse({ cursor })).toEqual({ limit: 50, cursor });
    expect(tenantOfCursor(cursor)).toBe(tenant);
  },
);

test.each([
  'acme',
  'garbage',
  '-not-a-tenant',
  'tc_',
  'tc_zz',
  'tc_616',
  'TC_61',
  'tc_2d61', // "-a": not a tenant id
  `tc_${'61'.repeat(65)}`,
])('a cursor the list never handed out (%j) is refused at cursor', (cursor) => {
  const result = TenantListQuery.safeParse({ cursor });
  expect(result.error?.issues.map((i) => i.path)).toEqual([['cursor']]);
  expect(tenantOfCursor(cursor)).toBeUndefined();
});
