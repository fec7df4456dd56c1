import { randomBytes } from 'node:crypto';
import { type HooklineContext, type Sealer } from '@hookline/core';
import { Agent } from 'undici';
import { requestToken, type OAuth2Auth, type TokenAnswer } from './oauth2-token-request';
import { guardedLookup, systemResolver, type Resolver } from '../../ssrf-lookup';

export interface OAuth2TokensOptions {
  redis: HooklineContext['redis'];
  keys: HooklineContext['keys'];
  /** Seals what the shared key holds: a live access token is a secret (README, "Threat model"). */
  sealer: Sealer;
  /** `HOOKLINE_ALLOW_INSECURE_URLS`: the token URL obeys the same policy as endpoint URLs. */
  allowInsecure: boolean;
  resolve?: Resolver;
  /** CAs to trust in place of Node's (sender.ts `SenderOptions.ca`). */
  ca?: string;
  /** Time for a whole token request. Default 10 s. */
  requestTimeoutMs?: number;
  /** How long a failure to get a token is told to every dispatcher before one asks again. Default 5 s. */
  failureMs?: number;
  now?: () => number;
}

export type TokenResult = { ok: true; token: string } | { ok: false; message: string };

/** What the shared key holds: a token and until when to use it, or why there is none. */
type Shared = { token: string; until: number } | { failed: string };

/** How often a dispatcher waiting for another's token request looks for its result. */
const POLL_MS = 25;

/**
 * A token is used until this long before it expires (a fifth of its lifetime, at most 30 s), so
 * that none is sent as it runs out.
 */
const marginOf = (lifetimeMs: number) => Math.min(30_000, lifetimeMs / 5);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * OAuth 2.0 access tokens of endpoints, fetched once for every dispatcher: the token lives in a
 * Redis key named by the endpoint and its authentication's revision (a change of the auth, or of
 * the client secret, names another key), until shortly before it expires. Whoever needs it and
 * finds none takes a short lock (`SET NX PX`) and asks the authorization server; the others wait
 * for the key to be written, and ask themselves only once the lock has expired. A failure is
 * written there too for a few seconds, so that a server refusing the credentials is asked once
 * for all the deliveries waiting, not once each. A copy in memory spares Redis on the hot path.
 */
export class OAuth2Tokens {
  private readonly local = new Map<string, { revision: string; token: string; until: number }>();
  private readonly pending = new Map<string, Promise<TokenResult>>();
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly failureMs: number;
  private readonly now: () => number;

  constructor(private readonly options: OAuth2TokensOptions) {
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.failureMs = options.failureMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.agent = new Agent({
      connections: 4,
      connect: {
        lookup: guardedLookup(options.resolve ?? systemResolver, options.allowInsecure),
        ...(options.ca === undefined ? {} : { ca: options.ca }),
      },
    });
  }

  /**
   * A token for the endpoint. `stale`: a token the receiver has just refused (401), which is not
   * to be handed out again: a new one is asked for, unless another dispatcher already has.
   */
  token(endpointId: string, auth: OAuth2Auth, stale?: string): Promise<TokenResult> {
    const held = this.local.get(endpointId);
    if (held?.revision === auth.revision && held.token !== stale && held.until > this.now()) {
      return Promise.resolve({ ok: true, token: held.token });
    }
    // One request at a time per endpoint and revision in this process: the deliveries that
    // need it meanwhile share its answer.
    const name = `${endpointId} ${auth.revision} ${stale ?? ''}`;
    let result = this.pending.get(name);
    if (!result) {
      result = this.shared(endpointId, auth, stale).finally(() => this.pending.delete(name));
      this.pending.set(name, result);
    }
    return result;
  }

  /** Forgets the endpoint's token in memory (it changed; Redis still has it for the same revision). */
  forget(endpointId: string): void {
    this.local.delete(endpointId);
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private async shared(endpointId: string, auth: OAuth2Auth, stale?: string): Promise<TokenResult> {
    const { redis, keys } = this.options;
    const key = keys.endpointToken(endpointId, auth.revision);
    const lock = keys.endpointTokenLock(endpointId, auth.revision);
    const lockMs = this.timeoutMs + 1_000;
    const owner = randomBytes(8).toString('hex');
    // Past the lock's life nobody is fetching any more: whoever held it died or hangs.
    const giveUpAt = this.now() + lockMs + POLL_MS;
    /** The answer another dispatcher has shared, if it is one to use. */
    const sharedAnswer = async (): Promise<TokenResult | undefined> => {
      const raw = await redis.get(key);
      if (raw === null) return undefined;
      const shared = JSON.parse(this.options.sealer.open(raw)) as Shared;
      if ('failed' in shared && stale === undefined) return { ok: false, message: shared.failed };
      if ('token' in shared && shared.token !== stale && shared.until > this.now())
        return this.keep(endpointId, auth.revision, shared);
      return undefined;
    };
    for (;;) {
      const found = await sharedAnswer();
      if (found) return found;
      const locked = (await redis.set(lock, owner, 'PX', lockMs, 'NX')) === 'OK';
      if (locked) {
        // The holder before us may have shared its answer and let go of the lock between our
        // read and our lock: read again before asking the authorization server a second time.
        const meanwhile = await sharedAnswer();
        if (meanwhile) {
          await redis.del(lock);
          return meanwhile;
        }
      }
      if (locked || this.now() > giveUpAt) {
        const started = this.now();
        const answer = await requestToken(auth, this.agent, this.timeoutMs);
        await this.publish(key, answer, started);
        // Released only while surely still ours (a lock that expired may have a new holder).
        if (locked && this.now() - started < this.timeoutMs) await redis.del(lock);
        if (!answer.ok) return answer;
        return this.keep(endpointId, auth.revision, {
          token: answer.token,
          until: started + answer.lifetimeMs - marginOf(answer.lifetimeMs),
        });
      }
      await sleep(POLL_MS);
    }
  }

  /** Writes the answer for every dispatcher, for as long as it is good. */
  private async publish(key: string, answer: TokenAnswer, started: number): Promise<void> {
    if (!answer.ok) {
      await this.options.redis.set(
        key,
        this.options.sealer.seal(JSON.stringify({ failed: answer.message })),
        'PX',
        this.failureMs,
      );
      return;
    }
    const until = started + answer.lifetimeMs - marginOf(answer.lifetimeMs);
    const ttl = Math.floor(until - this.now());
    if (ttl <= 0) return;
    const sealed = this.options.sealer.seal(JSON.stringify({ token: answer.token, until }));
    await this.options.redis.set(key, sealed, 'PX', ttl);
  }

  private keep(endpointId: string, revision: string, shared: { token: string; until: number }) {
    this.local.set(endpointId, { revision, ...shared });
    return { ok: true, token: shared.token } as const;
  }
}
