/**
 * Wall-clock milliseconds with sub-millisecond resolution: this process's time origin plus the
 * monotonic clock. Two processes on one machine read the same clock this way (both origins come
 * from the system clock), so a timestamp taken at publish in the bench and one taken at receipt
 * in the receiver subtract to the latency between them, to a fraction of a millisecond.
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * µs on the monotonic clock: the one V8 stamps CPU profile samples with, so a phase timed here
 * picks out the samples a child process's profile took during it (cpu-profile.ts).
 */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every `intervalMs` until it returns something other than `undefined`, or fails
 * after `timeoutMs` naming `what` was awaited.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  { timeoutMs, intervalMs = 50 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
