/**
 * Whether an error a log read or write threw means the log is away (down, restarting, not yet
 * set up), not that Hookline has a bug: the API answers 503 for it, as it does while Redis is.
 * Network errors by their Node code; Postgres's by SQLSTATE: class 08 (connection), 53
 * (insufficient resources), 57 (operator intervention: shutting down, starting up), an unknown
 * database (3D000) and a table not yet made (42P01, before the schema's first migration).
 */
export function isLogUnavailable(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error)) {
    // node-postgres ends a query on a lost connection with this message and no code.
    return error instanceof Error && /Connection terminated/.test(error.message);
  }
  const code = String(error.code);
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(code))
    return true;
  return /^(08|53|57)/.test(code) || code === '3D000' || code === '42P01';
}
