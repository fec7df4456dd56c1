export { InvalidSecretError, WebhookVerificationError, type VerificationFailure } from './errors';
export { WebhookHeaders, type HeaderSource } from './headers';
export { EventName, EventResource, JsonObject, WebhookEvent } from './schemas';
export { SECRET_PREFIX, Secret, decodeSecret, generateSecret } from './secret';
export { signSha256, verifySha256 } from './sha256';
export { sign, verify, verifySignature, type SignInput, type VerifyOptions } from './signature';
