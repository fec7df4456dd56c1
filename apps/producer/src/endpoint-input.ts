import { EndpointCreate, EndpointPatch, signatureProblems } from '@hookline/api';
import { checkEndpointUrl, type UrlPolicyOptions } from '@hookline/core';
import { z } from 'zod';

/**
 * The endpoint request schemas of the contract, with this deployment's URL policy added to `url`
 * (`https://` and a host name only, unless `HOOKLINE_ALLOW_INSECURE_URLS` is set).
 */
export function endpointInputSchemas(policy: UrlPolicyOptions) {
  // The policy checks the length and form itself: one message per bad URL, not one per rule.
  const url = z.string().superRefine((text, ctx) => {
    const problem = checkEndpointUrl(text, policy);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
  return {
    // A secret of the other scheme, or the HMAC legacy header on an ed25519 endpoint, is a 422.
    EndpointCreate: EndpointCreate.extend({ url }).superRefine((input, ctx) => {
      for (const { path, message } of signatureProblems(input))
        ctx.addIssue({ code: 'custom', path: [path], message });
    }),
    EndpointPatch: EndpointPatch.extend({ url: url.optional() }),
  };
}
