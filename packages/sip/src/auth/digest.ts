/**
 * HTTP Digest for SIP (RFC 3261 §22.4, RFC 2617 §3.2.2, RFC 7616 §3.4; SHA-256 for SIP per
 * RFC 8760): response computation for clients and constant-time verification for servers.
 * Nonce issuing and replay policy belong to the registrar.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthHeader } from './auth-header.ts';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

export interface DigestInput {
  algorithm?: DigestAlgorithm;
  username: string;
  realm: string;
  /** The password, or a precomputed H(username:realm:password). */
  secret: { password: string } | { ha1: string };
  nonce: string;
  method: string;
  /** digest-uri as sent in the credentials. */
  uri: string;
  qop?: 'auth' | 'auth-int';
  cnonce?: string;
  /** 8 hex digits, e.g. "00000001". */
  nc?: string;
  /** Needed for qop=auth-int. */
  body?: Buffer;
}

function hash(algorithm: DigestAlgorithm, data: string | Buffer): string {
  return createHash(algorithm.startsWith('SHA-256') ? 'sha256' : 'md5')
    .update(data)
    .digest('hex');
}

/** H(username:realm:password), what a registrar may store instead of the password. */
export function digestHa1(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: string,
): string {
  return hash(algorithm, `${username}:${realm}:${password}`);
}

export function computeDigestResponse(input: DigestInput): string {
  const alg = input.algorithm ?? 'MD5';
  let ha1 =
    'ha1' in input.secret
      ? input.secret.ha1
      : digestHa1(alg, input.username, input.realm, input.secret.password);
  if (alg.endsWith('-sess')) ha1 = hash(alg, `${ha1}:${input.nonce}:${input.cnonce ?? ''}`);
  const ha2 =
    input.qop === 'auth-int'
      ? hash(alg, `${input.method}:${input.uri}:${hash(alg, input.body ?? Buffer.alloc(0))}`)
      : hash(alg, `${input.method}:${input.uri}`);
  if (input.qop === undefined) return hash(alg, `${ha1}:${input.nonce}:${ha2}`);
  return hash(
    alg,
    `${ha1}:${input.nonce}:${input.nc ?? ''}:${input.cnonce ?? ''}:${input.qop}:${ha2}`,
  );
}

function algorithmOf(value: string | undefined): DigestAlgorithm | undefined {
  const v = (value ?? 'MD5').toUpperCase();
  if (v === 'MD5') return 'MD5';
  if (v === 'MD5-SESS') return 'MD5-sess';
  if (v === 'SHA-256') return 'SHA-256';
  if (v === 'SHA-256-SESS') return 'SHA-256-sess';
  return undefined;
}

/**
 * Check Digest credentials from an Authorization header against the password (or HA1).
 * Returns false for other schemes, unknown algorithms, missing fields or a wrong response;
 * the caller separately checks that realm and nonce are ones it issued.
 */
export function verifyDigest(
  credentials: AuthHeader,
  check: { method: string; secret: DigestInput['secret']; body?: Buffer },
): boolean {
  if (credentials.scheme !== 'digest') return false;
  const p = credentials.params;
  const algorithm = algorithmOf(p.get('algorithm'));
  const username = p.get('username');
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  const uri = p.get('uri');
  const response = p.get('response');
  const qop = p.get('qop');
  if (!algorithm || username === undefined || realm === undefined || nonce === undefined)
    return false;
  if (uri === undefined || response === undefined) return false;
  if (qop !== undefined && qop !== 'auth' && qop !== 'auth-int') return false;
  if (qop !== undefined && (p.get('cnonce') === undefined || p.get('nc') === undefined))
    return false;
  const expected = computeDigestResponse({
    algorithm,
    username,
    realm,
    secret: check.secret,
    nonce,
    method: check.method,
    uri,
    ...(qop === undefined ? {} : { qop, cnonce: p.get('cnonce'), nc: p.get('nc') }),
    ...(check.body === undefined ? {} : { body: check.body }),
  });
  const a = Buffer.from(expected);
  const b = Buffer.from(response.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}
