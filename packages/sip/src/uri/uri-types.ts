/**
 * URI shapes the stack understands: SIP/SIPS (RFC 3261 §19.1), tel (RFC 3966) and any
 * other absolute URI kept opaque (RFC 3261 §25.1 absoluteURI; e.g. RFC 4475 "unksm2").
 */

/** Parameter name (lower case) → decoded value, or null for a flag parameter like `lr`. */
export type UriParams = Map<string, string | null>;

export interface SipUri {
  readonly kind: 'sip';
  scheme: 'sip' | 'sips';
  /** Decoded user part (may contain ";", "?" and even U+0000). */
  user: string | undefined;
  password: string | undefined;
  /** Host as written; IPv6 references keep their brackets: "[2001:db8::1]". */
  host: string;
  port: number | undefined;
  params: UriParams;
  /** Decoded `?name=value&...` headers, in order. */
  headers: Array<[string, string]>;
}

export interface TelUri {
  readonly kind: 'tel';
  /** Global ("+81...") or local number, visual separators kept. */
  number: string;
  params: UriParams;
}

export interface AbsoluteUri {
  readonly kind: 'absolute';
  /** Lower-cased scheme. */
  scheme: string;
  /** Everything after the first ":" as written. */
  opaque: string;
}

export type Uri = SipUri | TelUri | AbsoluteUri;

export function isSipUri(uri: Uri): uri is SipUri {
  return uri.kind === 'sip';
}
