import {
  ClientCertificate,
  type EndpointAuth,
  EndpointCreate,
  EndpointPatch,
  type EndpointType,
  OAuth2ClientCredentials,
  TYPE_FIELDS,
  authConflict,
  signatureProblems,
} from '@hookline/api';
import {
  checkDestinationUrl,
  clientCertificateProblem,
  type UrlPolicyOptions,
} from '@hookline/core';
import { z } from 'zod';

/**
 * The endpoint request schemas of the contract, with this deployment's URL policy added to `url`
 * (each type's: `https://`, `amqps://`, `tls://`) and to an OAuth 2.0 `token_url` (and a host
 * name only, unless `HOOKLINE_ALLOW_INSECURE_URLS` is set), and a client certificate checked
 * against its key. A PATCH's `url` is checked by the handler, which knows the endpoint's type.
 */
export function endpointInputSchemas(policy: UrlPolicyOptions, now: () => number = Date.now) {
  // The policy checks the length and form itself: one message per bad URL, not one per rule.
  const urlOf = (type: EndpointType) =>
    z.string().superRefine((text, ctx) => {
      const problem = checkDestinationUrl(type, text, policy);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
  const url = urlOf('http');
  const auth = z
    .discriminatedUnion('type', [
      OAuth2ClientCredentials.extend({ token_url: url }),
      ClientCertificate.superRefine((pem, ctx) => {
        const problem = clientCertificateProblem(pem, now());
        if (problem) ctx.addIssue({ code: 'custom', path: [problem[0]], message: problem[1] });
      }),
    ])
    .nullable() satisfies z.ZodType<EndpointAuth | null, unknown>;
  const [http, rabbitmq, nats] = EndpointCreate.options;
  return {
    // A secret of the other scheme, or the HMAC legacy header on an ed25519 endpoint, is a 422.
    EndpointCreate: z
      .discriminatedUnion('type', [
        http.extend({ url, auth: auth.default(null) }),
        rabbitmq.extend({ url: urlOf('rabbitmq') }),
        nats.extend({ url: urlOf('nats') }),
      ])
      .superRefine((input, ctx) => {
        for (const { path, message } of signatureProblems(input))
          ctx.addIssue({ code: 'custom', path: [path], message });
        const conflict = input.type === 'http' && authConflict(input.auth, input.headers);
        if (conflict) ctx.addIssue({ code: 'custom', path: ['auth'], message: conflict });
      }) satisfies z.ZodType<EndpointCreate, unknown>,
    // Which type's rules a PATCH's `url` obeys is the endpoint's: the handler checks that, after
    // this has refused what no type takes (a URL checked as the type its scheme names).
    EndpointPatch: EndpointPatch.extend({
      url: z
        .string()
        .superRefine((text, ctx) => {
          const problem = checkDestinationUrl(typeOfScheme(text), text, policy);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        })
        .optional(),
      auth: auth.optional(),
    }),
  };
}

/** The endpoint type whose URLs use the scheme `text` starts with (a webhook's, when none does). */
function typeOfScheme(text: string): EndpointType {
  const scheme = /^([a-z]+):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'amqp' || scheme === 'amqps') return 'rabbitmq';
  if (scheme === 'nats' || scheme === 'tls') return 'nats';
  return 'http';
}

/**
 * What a PATCH asks that the endpoint's type does not have: a field of another type's
 * configuration, or a `url` its type's rules refuse. The type itself never changes.
 */
export function patchTypeProblems(
  type: EndpointType,
  patch: EndpointPatch,
  policy: UrlPolicyOptions,
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const [field, owner] of Object.entries(TYPE_FIELDS)) {
    if (patch[field as keyof EndpointPatch] !== undefined && owner !== type)
      problems.push({ path: field, message: `only a ${owner} endpoint has ${field}` });
  }
  const problem =
    patch.url === undefined ? undefined : checkDestinationUrl(type, patch.url, policy);
  if (problem) problems.push({ path: 'url', message: problem });
  return problems;
}
