import { expectError } from './harness';

/** A 422 `validation_failed` whose one detail is at `path` (`url`, `events.1.name`, `cursor`). */
export function expectRefusedAt(res: { status: number; body: unknown }, path: string): void {
  expect(res.status).toBe(422);
  expectError(res.body, 'validation_failed');
  expect((res.body as { error: { details: { path: string }[] } }).error.details).toEqual([
    expect.objectContaining({ path }),
  ]);
}
