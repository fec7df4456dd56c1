import {
  ClientCertificate,
  type EndpointAuth,
  EndpointCreate,
  EndpointPatch,
  OAuth2ClientCredentials,
  authConflict,
  signatureProblems,
} from '@hookline/api';
import { checkEndpointUrl, clientCertificateProblem, type UrlPolicyOptions } from '@hookline/core';
import { z } from 'zod';

/**
 * The endpoint request schemas of the contract, with this deployment's URL policy added to `url`
 * and to an OAuth 2.0 `token_url` (`https://` and a host name only, unless
 * `HOOKLINE_ALLOW_INSECURE_URLS` is set), and a client certificate checked against its key.
 */
export function endpointInputSchemas(policy: UrlPolicyOptions, now: () => number = Date.now) {
  // The policy checks the length and form itself: one message per bad URL, not one per rule.
  const url = z.string().superRefine((text, ctx) => {
    const problem = checkEndpointUrl(text, policy);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
  const auth = z
    .discriminatedUnion('type', [
      OAuth2ClientCredentials.extend({ token_url: url }),
      ClientCertificate.superRefine((pem, ctx) => {
        const problem = clientCertificateProblem(pem, now());
        if (problem) ctx.addIssue({ code: 'custom', path: [problem[0]], message: problem[1] });
      }),
    ])
    .nullable() satisfies z.ZodType<EndpointAuth | null, unknown>;
  return {
    // A secret of the other scheme, or the HMAC legacy header on an ed25519 endpoint, is a 422.
    EndpointCreate: EndpointCreate.extend({ url, auth: auth.default(null) }).superRefine(
      (input, ctx) => {
        for (const { path, message } of signatureProblems(input))
          ctx.addIssue({ code: 'custom', path: [path], message });
        const conflict = authConflict(input.auth, input.headers);
        if (conflict) ctx.addIssue({ code: 'custom', path: ['auth'], message: conflict });
      },
    ),
    EndpointPatch: EndpointPatch.extend({ url: url.optional(), auth: auth.optional() }),
  };
}
