export { InvalidSecretError, WebhookVerificationError, type VerificationFailure } from './errors';
export { WebhookHeaders, type HeaderSource } from './headers';
export { EventName, EventResource, JsonObject, WebhookEvent } from './schemas';
export { SECRET_PREFIX, Secret, decodeSecret, generateSecret } from './secret';
export { signSha256, verifySha256 } from './sha256';
export { sign, verify, verifySignature, type SignInput, type VerifyOptions } from './signature';
export {
  PUBLIC_KEY_PREFIX,
  PublicKey,
  SIGNING_KEY_PREFIX,
  SigningKey,
  decodePublicKey,
  decodeSigningKey,
  generateSigningKey,
  isPublicKey,
  isSigningKey,
  publicKeyOf,
} from './ed25519';
