/**
 * The client half of Digest (RFC 3261 §22.2, §22.3; RFC 8760): answer a 401/407 challenge
 * with credentials for the retried request. SHA-256 is preferred when the server offers it
 * (RFC 8760 §2.4: a client uses the first challenge it supports, and the server lists its
 * preferred algorithm first); qop=auth when offered, else the RFC 2069 form.
 */
import { type AuthHeader, formatAuthHeader, parseAuthHeader } from '../auth/auth-header.ts';
import { computeDigestResponse, type DigestAlgorithm } from '../auth/digest.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';

export interface ClientCredentials {
  username: string;
  password: string;
}

const SUPPORTED: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];

function algorithmOf(h: AuthHeader): DigestAlgorithm | undefined {
  const v = (h.params.get('algorithm') ?? 'MD5').toUpperCase();
  return SUPPORTED.find((a) => a === v);
}

/** The challenge we answer: the server's first one with an algorithm we support. */
export function pickChallenge(response: SipResponse): AuthHeader | undefined {
  const name = response.status === 407 ? 'proxy-authenticate' : 'www-authenticate';
  for (const value of response.headers.getAll(name)) {
    try {
      const h = parseAuthHeader(value, name);
      if (h.scheme === 'digest' && algorithmOf(h) !== undefined) return h;
    } catch {
      // An unreadable challenge is skipped.
    }
  }
  return undefined;
}

/**
 * The Authorization / Proxy-Authorization field for `request` (already carrying its new
 * CSeq) answering the challenge in `response`; undefined when none can be answered.
 */
export function answerChallenge(
  response: SipResponse,
  request: SipRequest,
  credentials: ClientCredentials,
  cnonce: string,
  /** Nonce-count: 1 for a fresh challenge, then 2, 3… when reusing it (RFC 7616 §3.4). */
  count = 1,
): [string, string] | undefined {
  const challenge = pickChallenge(response);
  if (challenge === undefined) return undefined;
  const algorithm = algorithmOf(challenge) ?? 'MD5';
  const realm = challenge.params.get('realm') ?? '';
  const nonce = challenge.params.get('nonce') ?? '';
  const qops = (challenge.params.get('qop') ?? '').split(',').map((q) => q.trim());
  const qop = qops.includes('auth') ? ('auth' as const) : undefined;
  const nc = count.toString(16).padStart(8, '0');
  const digest = computeDigestResponse({
    algorithm,
    username: credentials.username,
    realm,
    secret: { password: credentials.password },
    nonce,
    method: request.method,
    uri: request.uriText,
    ...(qop === undefined ? {} : { qop, nc, cnonce }),
  });
  const params = new Map<string, string>([
    ['username', credentials.username],
    ['realm', realm],
    ['nonce', nonce],
    ['uri', request.uriText],
    ['response', digest],
    ['algorithm', algorithm],
  ]);
  const opaque = challenge.params.get('opaque');
  if (opaque !== undefined) params.set('opaque', opaque);
  if (qop !== undefined) {
    params.set('qop', qop);
    params.set('nc', nc);
    params.set('cnonce', cnonce);
  }
  const name = response.status === 407 ? 'Proxy-Authorization' : 'Authorization';
  return [name, formatAuthHeader({ scheme: 'digest', params }, 'credentials')];
}
