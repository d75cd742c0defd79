/**
 * Digest authentication of requests (RFC 3261 §22, RFC 7616, RFC 8760): challenges with one
 * WWW-Authenticate (401, UAS/registrar) or Proxy-Authenticate (407, for INVITEs from
 * unknown sources, §22.3) per algorithm, SHA-256 first (RFC 8760 §2.4), and verification
 * with nonce expiry and replay protection (nonce-store.ts). Credentials come from a
 * pluggable lookup so the product can keep them in its database (as HA1 or password).
 */
import type { Clock } from '../clock/clock.ts';
import { type AuthHeader, formatAuthHeader, parseAuthHeader } from '../auth/auth-header.ts';
import { type DigestInput, verifyDigest } from '../auth/digest.ts';
import type { SipRequest } from '../message/sip-message.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import { cryptoRandomHex, type RandomHex } from '../transaction/identifiers.ts';
import { NonceStore } from './nonce-store.ts';

/** A user's secret: the password, or HA1 = H(user:realm:password) per algorithm. */
export type StoredSecret =
  | { password: string }
  | { ha1: Partial<Record<'MD5' | 'SHA-256', string>> };

/** Find the secret of `username` in `realm`; undefined for an unknown user. */
export type CredentialLookup = (
  username: string,
  realm: string,
) => StoredSecret | undefined | Promise<StoredSecret | undefined>;

export interface DigestAuthenticatorOptions {
  realm: string;
  lookup: CredentialLookup;
  /** Offered in this order (default SHA-256, then MD5). */
  algorithms?: ReadonlyArray<'SHA-256' | 'MD5'>;
  clock: Clock;
  random?: RandomHex;
  nonceLifetimeMs?: number;
}

export type AuthResult =
  | { ok: true; username: string }
  | {
      ok: false;
      /** 401 (WWW-Authenticate) or 407 (Proxy-Authenticate). */
      status: 401 | 407;
      headers: Array<[string, string]>;
      /** Why, for logs: no credentials, bad response, stale, replayed, unknown user… */
      why: string;
    };

/** 'www': a UAS or registrar (401, Authorization); 'proxy': 407, Proxy-Authorization. */
export type AuthRole = 'www' | 'proxy';

function baseAlgorithm(a: string | undefined): 'MD5' | 'SHA-256' | undefined {
  const v = (a ?? 'MD5').toUpperCase();
  if (v === 'MD5' || v === 'MD5-SESS') return 'MD5';
  if (v === 'SHA-256' || v === 'SHA-256-SESS') return 'SHA-256';
  return undefined;
}

export class DigestAuthenticator {
  readonly realm: string;
  readonly #lookup: CredentialLookup;
  readonly #algorithms: ReadonlyArray<'SHA-256' | 'MD5'>;
  readonly #nonces: NonceStore;

  constructor(options: DigestAuthenticatorOptions) {
    this.realm = options.realm;
    this.#lookup = options.lookup;
    this.#algorithms = options.algorithms ?? ['SHA-256', 'MD5'];
    this.#nonces = new NonceStore({
      clock: options.clock,
      random: options.random ?? cryptoRandomHex,
      lifetimeMs: options.nonceLifetimeMs,
    });
  }

  /** Challenge header fields: one per algorithm, sharing one fresh nonce. */
  challenge(role: AuthRole, stale = false): Array<[string, string]> {
    const name = role === 'www' ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    const nonce = this.#nonces.issue();
    return this.#algorithms.map((algorithm) => {
      const params = new Map<string, string>([
        ['realm', this.realm],
        ['nonce', nonce],
        ['algorithm', algorithm],
        ['qop', 'auth'],
      ]);
      if (stale) params.set('stale', 'true');
      return [name, formatAuthHeader({ scheme: 'digest', params }, 'challenge')];
    });
  }

  #refuse(role: AuthRole, why: string, stale = false): AuthResult {
    return {
      ok: false,
      status: role === 'www' ? 401 : 407,
      headers: this.challenge(role, stale),
      why,
    };
  }

  /** Our realm's Digest credentials in the request, if any (§22.4: one per realm). */
  #credentials(request: SipRequest, role: AuthRole): AuthHeader | undefined {
    const name = role === 'www' ? 'authorization' : 'proxy-authorization';
    for (const value of request.headers.getAll(name)) {
      try {
        const h = parseAuthHeader(value, name);
        // Unknown schemes are ignored (RFC 4475 "regaut01").
        if (h.scheme === 'digest' && h.params.get('realm') === this.realm) return h;
      } catch {
        // Unreadable credentials count as none: challenge.
      }
    }
    return undefined;
  }

  /** Check the request's credentials; on failure the result carries the challenge to send. */
  async authenticate(request: SipRequest, role: AuthRole): Promise<AuthResult> {
    const credentials = this.#credentials(request, role);
    if (credentials === undefined) return this.#refuse(role, 'no credentials');
    const p = credentials.params;
    const username = p.get('username');
    const nonce = p.get('nonce');
    const algorithm = baseAlgorithm(p.get('algorithm'));
    if (username === undefined || nonce === undefined || algorithm === undefined) {
      return this.#refuse(role, 'incomplete credentials');
    }
    if (!this.#algorithms.includes(algorithm)) return this.#refuse(role, 'algorithm not offered');
    const stored = await this.#lookup(username, this.realm);
    // An unknown user gets the same answer as a wrong password (no user enumeration).
    if (stored === undefined) return this.#refuse(role, 'unknown user');
    let secret: DigestInput['secret'];
    if ('password' in stored) secret = { password: stored.password };
    else {
      const ha1 = stored.ha1[algorithm];
      if (ha1 === undefined) return this.#refuse(role, `no ${algorithm} HA1 stored`);
      secret = { ha1 };
    }
    const valid = verifyDigest(credentials, {
      method: request.method,
      secret,
      body: request.body,
    });
    if (!valid) return this.#refuse(role, 'wrong response');
    const qop = p.get('qop');
    switch (this.#nonces.use(nonce, qop === undefined ? undefined : p.get('nc'))) {
      case 'fresh':
        return { ok: true, username };
      case 'stale':
        // RFC 7616 §3.3: right password, old nonce: retry without asking the user.
        return this.#refuse(role, 'stale nonce', true);
      case 'replayed':
        return this.#refuse(role, 'replayed nonce-count');
      case 'unknown':
        return this.#refuse(role, 'unknown nonce', true);
    }
  }

  /**
   * A SipEndpoint `screenInvite` hook: INVITEs from sources not `trusted` (e.g. not a
   * carrier trunk) must carry Proxy-Authorization, else they get 407 (§22.3).
   */
  screenInvites(
    trusted: (source: SocketAddress) => boolean,
  ): (
    request: SipRequest,
    source: SocketAddress,
  ) => Promise<{ status: number; headers: Array<[string, string]> } | undefined> {
    return this.screenRequests(trusted, 'proxy');
  }

  /**
   * The same screening for any request (e.g. SipEndpoint's `screenMessage` for pager
   * MESSAGEs): 401 with WWW-Authenticate where we are the recipient, 407 with
   * Proxy-Authenticate where we relay (§22.3).
   */
  screenRequests(
    trusted: (source: SocketAddress) => boolean,
    kind: 'www' | 'proxy',
  ): (
    request: SipRequest,
    source: SocketAddress,
  ) => Promise<{ status: number; headers: Array<[string, string]> } | undefined> {
    return async (request, source) => {
      if (trusted(source)) return undefined;
      const result = await this.authenticate(request, kind);
      return result.ok ? undefined : { status: result.status, headers: result.headers };
    };
  }
}
