/** A refusal from the API (its `{error: {code, message, details}}`), or no answer at all. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    /** HTTP status; 0 when the server did not answer. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }

  /** The route itself is missing (an older server), not an unknown id on an existing route. */
  get noRoute(): boolean {
    return this.status === 404 && /^no route for /.test(this.message);
  }
}

/** One line for a person: the API's own message, its code and status, and each bad field. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const head =
    error.status === 0 ? error.message : `${error.message} (${error.status} ${error.code})`;
  const fields = error.details
    .filter((d) => !error.message.includes(d.message))
    .map((d) => `${d.path}: ${d.message}`);
  return [head, ...fields].join('; ');
}
