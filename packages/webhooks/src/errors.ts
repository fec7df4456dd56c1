/** Why a delivery failed verification. */
export type VerificationFailure =
  | 'missing_header'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_matching_signature'
  | 'invalid_signature_header'
  | 'invalid_payload';

/** Thrown when a request does not verify; `reason` says why, the message says what. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';

  constructor(
    readonly reason: VerificationFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown for a secret that is not `whsec_` + base64 of 24–64 bytes. */
export class InvalidSecretError extends Error {
  override readonly name = 'InvalidSecretError';
}
