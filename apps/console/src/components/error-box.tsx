import { ApiError, describeError } from '../api/api-error';

/** Why a page could not load, in the API's words; a missing route says what it means. */
export function ErrorBox({ error, what }: { error: unknown; what?: string }) {
  if (!error) return null;
  const missing = error instanceof ApiError && error.noRoute;
  return (
    <div class="alert alert-error" role="alert">
      {missing
        ? `This Hookline server has no ${what ?? 'such'} route yet (${describeError(error)}).`
        : describeError(error)}
    </div>
  );
}
