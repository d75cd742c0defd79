/**
 * URI equality (RFC 3261 §19.1.4 for SIP/SIPS, RFC 3966 §4 for tel). Used to match
 * Request-URIs, registrations and Route entries.
 */
import type { SipUri, TelUri, Uri, UriParams } from './uri-types.ts';

/** Parameters that, present in one URI, must be present and equal in the other (§19.1.4). */
const MUST_MATCH = ['user', 'ttl', 'method', 'maddr', 'transport'];

function sameParams(a: UriParams, b: UriParams): boolean {
  for (const name of MUST_MATCH) {
    if (a.has(name) !== b.has(name)) return false;
  }
  // Any parameter present in both must have the same value; the rest are ignored.
  for (const [name, value] of a) {
    if (!b.has(name)) continue;
    const other = b.get(name);
    if ((value ?? '').toLowerCase() !== (other ?? '').toLowerCase()) return false;
  }
  return true;
}

function sameHeaders(a: SipUri, b: SipUri): boolean {
  if (a.headers.length !== b.headers.length) return false;
  const key = (h: [string, string]) => `${h[0].toLowerCase()}=${h[1]}`;
  const bs = new Set(b.headers.map(key));
  return a.headers.every((h) => bs.has(key(h)));
}

function sipEquals(a: SipUri, b: SipUri): boolean {
  return (
    a.scheme === b.scheme &&
    a.user === b.user &&
    a.password === b.password &&
    a.host.toLowerCase() === b.host.toLowerCase() &&
    a.port === b.port &&
    sameParams(a.params, b.params) &&
    sameHeaders(a, b)
  );
}

/** RFC 3966 §4: visual separators are ignored; parameters must match exactly (case-insensitively). */
function telEquals(a: TelUri, b: TelUri): boolean {
  const digits = (n: string) => n.replace(/[-.()]/g, '').toLowerCase();
  if (digits(a.number) !== digits(b.number) || a.params.size !== b.params.size) return false;
  for (const [name, value] of a.params) {
    if (!b.params.has(name)) return false;
    if ((value ?? '').toLowerCase() !== (b.params.get(name) ?? '').toLowerCase()) return false;
  }
  return true;
}

export function uriEquals(a: Uri, b: Uri): boolean {
  if (a.kind === 'sip' && b.kind === 'sip') return sipEquals(a, b);
  if (a.kind === 'tel' && b.kind === 'tel') return telEquals(a, b);
  if (a.kind === 'absolute' && b.kind === 'absolute')
    return a.scheme === b.scheme && a.opaque === b.opaque;
  return false;
}
