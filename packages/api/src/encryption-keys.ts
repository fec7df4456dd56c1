import { z } from 'zod';

/** `POST /v1/encryption-keys/reseal`: what it did, over every endpoint. */
export const Resealed = z.object({
  resealed: z
    .number()
    .int()
    .min(0)
    .describe('endpoints that had a secret not sealed under the first key, sealed again under it'),
  already_current: z
    .number()
    .int()
    .min(0)
    .describe('endpoints whose every secret was sealed under the first key already'),
});
export type Resealed = z.infer<typeof Resealed>;
