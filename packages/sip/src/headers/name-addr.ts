/**
 * From, To, Contact, Route, Record-Route, Reply-To values:
 *   ( name-addr / addr-spec ) *( SEMI param ),  name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
 * (RFC 3261 §20.10, §25.1). The scoping rule of §20: without angle brackets, every ";"
 * parameter after the URI belongs to the header, not to the URI (RFC 4475 "cparam01").
 */
import { SipErrorCode, SipParseError } from '../errors.ts';
import { isWsp, skipWsp, trimWsp } from '../grammar/charsets.ts';
import { formatParams, type Params, parseParams } from '../grammar/params.ts';
import { quote, scanQuoted } from '../grammar/quoted-string.ts';
import { formatUri } from '../uri/format-uri.ts';
import { parseUri } from '../uri/parse-uri.ts';
import type { Uri } from '../uri/uri-types.ts';

export interface NameAddr {
  /** Unquoted display name; undefined when absent. */
  displayName: string | undefined;
  uri: Uri;
  /** Header parameters (tag, expires, q, ...). */
  params: Params;
}

function bad(detail: string, header: string | undefined): never {
  throw new SipParseError(SipErrorCode.BadHeaderValue, detail, header);
}

function uriOf(text: string, header: string | undefined): Uri {
  try {
    return parseUri(text);
  } catch (err) {
    if (err instanceof SipParseError) bad(`${err.message} in ${text}`, header);
    throw err;
  }
}

/** Index of the "<" opening a name-addr, or -1 when the value is an addr-spec. */
function findLaquot(v: string): number {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x3c) return i;
    // A ";" or quote before any "<" means parameters of an addr-spec have begun.
    if (c === 0x3b || c === 0x22) return -1;
  }
  return -1;
}

export function parseNameAddr(value: string, header?: string): NameAddr {
  const v = trimWsp(value);
  if (v.length === 0) bad('empty value', header);
  let displayName: string | undefined;
  let lt: number;
  if (v.charCodeAt(0) === 0x22) {
    const q = scanQuoted(v, 0, header);
    displayName = q.value;
    lt = skipWsp(v, q.end);
    if (v.charCodeAt(lt) !== 0x3c) bad('quoted display name without <URI>', header);
  } else {
    lt = findLaquot(v);
    if (lt > 0) {
      // display-name = *(token LWS) / quoted-string. Unquoted names with other characters
      // (RFC 4475 "baddn": `Bell, Alexander`) are accepted leniently as written.
      const name = trimWsp(v.slice(0, lt));
      if (name.length > 0) displayName = name;
    }
  }
  if (lt >= 0) {
    const gt = v.indexOf('>', lt + 1);
    if (gt < 0) bad('missing ">"', header);
    // LWS inside the brackets (RFC 4475 "badaspec") is tolerated.
    const uriText = trimWsp(v.slice(lt + 1, gt));
    const uri = uriOf(uriText, header);
    const after = gt + 1;
    if (after < v.length && !isWsp(v.charCodeAt(after)) && v.charCodeAt(after) !== 0x3b) {
      bad('unexpected text after ">"', header);
    }
    return { displayName, uri, params: parseParams(v, after, header) };
  }
  // addr-spec: the URI ends at the first ";" (§20 scoping rule).
  const semi = v.indexOf(';');
  const uriText = trimWsp(semi < 0 ? v : v.slice(0, semi));
  for (let i = 0; i < uriText.length; i++) {
    const c = uriText.charCodeAt(i);
    if (isWsp(c)) bad('whitespace in URI', header);
    // §20.10: a URI containing a comma, question mark or semicolon must be in <>
    // (RFC 4475 "regbadct").
    if (c === 0x3f || c === 0x2c) bad('URI with "?" or "," must be enclosed in <>', header);
  }
  const uri = uriOf(uriText, header);
  return {
    displayName: undefined,
    uri,
    params: semi < 0 ? new Map() : parseParams(v, semi, header),
  };
}

/** Canonical form: always with angle brackets, so URI parameters can never be mistaken. */
export function formatNameAddr(na: NameAddr): string {
  const name = na.displayName === undefined ? '' : `${quote(na.displayName)} `;
  return `${name}<${formatUri(na.uri)}>${formatParams(na.params)}`;
}

/** The `tag` parameter of a From/To value (RFC 3261 §19.3). */
export function tagOf(na: NameAddr): string | undefined {
  return na.params.get('tag') ?? undefined;
}
