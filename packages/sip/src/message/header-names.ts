/**
 * Header field names: case-insensitive (RFC 3261 §7.3.1), with compact forms (§7.3.3 and
 * the extensions that registered one). Internally a header is keyed by its lower-cased
 * full name; on the wire it is written with its canonical spelling.
 */

/** Compact form → lower-cased full name (RFC 3261 §7.3.3, §20; IANA SIP parameters). */
const COMPACT: Record<string, string> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

/** Canonical spellings that plain Title-Case would get wrong, plus the common ones. */
const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  rack: 'RAck',
  rseq: 'RSeq',
  'sip-etag': 'SIP-ETag',
  'sip-if-match': 'SIP-If-Match',
  'p-asserted-identity': 'P-Asserted-Identity',
};

/** Header fields that may hold a comma-separated list (RFC 3261 §7.3.1, §20). */
const LIST_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'alert-info',
  'allow',
  'allow-events',
  'call-info',
  'contact',
  'content-encoding',
  'content-language',
  'error-info',
  'in-reply-to',
  'path',
  'proxy-require',
  'record-route',
  'require',
  'route',
  'service-route',
  'supported',
  'unsupported',
  'via',
  'warning',
]);

/** Header fields that must appear at most once in a message (RFC 3261 §7.3.1, §20). */
export const SINGLE_HEADERS: readonly string[] = [
  'call-id',
  'content-length',
  'content-type',
  'cseq',
  'from',
  'max-forwards',
  'to',
];

/** Keys of spellings seen so far (code asks with the same few names over and over). */
const KEYS = new Map<string, string>();

/** Lower-cased full name for any spelling of a header name, compact or not. */
export function headerKey(name: string): string {
  const seen = KEYS.get(name);
  if (seen !== undefined) return seen;
  const lower = name.toLowerCase();
  const key = lower.length === 1 ? (COMPACT[lower] ?? lower) : lower;
  // Bounded: names also come from the wire.
  if (KEYS.size < 2048) KEYS.set(name, key);
  return key;
}

/** Memo tables below are bounded so hostile peers inventing names cannot grow them. */
const MAX_SPELLINGS = 2048;

/** Spellings computed so far. */
const CANONICAL_SEEN = new Map<string, string>();

/** Canonical wire spelling for a lower-cased full name: "content-type" → "Content-Type". */
export function canonicalName(key: string): string {
  const known = CANONICAL[key] ?? CANONICAL_SEEN.get(key);
  if (known !== undefined) return known;
  const name = key.replace(
    /(^|-)([a-z])/g,
    (_m, dash: string, ch: string) => dash + ch.toUpperCase(),
  );
  if (CANONICAL_SEEN.size < MAX_SPELLINGS) CANONICAL_SEEN.set(key, name);
  return name;
}

/** Spelling → [key, wire name]; header names repeat endlessly, so remember them. */
const SPELLINGS = new Map<string, readonly [string, string]>();

/** Key and wire name for a spelling, memoized (the parser's hot path). */
export function resolveName(original: string): readonly [string, string] {
  let hit = SPELLINGS.get(original);
  if (hit === undefined) {
    const key = headerKey(original);
    hit = [key, wireName(original, key)] as const;
    // Bounded so hostile peers inventing names cannot grow it without limit.
    if (SPELLINGS.size < MAX_SPELLINGS) SPELLINGS.set(original, hit);
  }
  return hit;
}

const KNOWN = new Set<string>([
  ...Object.values(COMPACT),
  ...Object.keys(CANONICAL),
  ...LIST_HEADERS,
  ...SINGLE_HEADERS,
  'authorization',
  'authentication-info',
  'date',
  'expires',
  'min-expires',
  'organization',
  'priority',
  'proxy-authenticate',
  'proxy-authorization',
  'reply-to',
  'retry-after',
  'server',
  'timestamp',
  'user-agent',
  'content-disposition',
  'min-se',
  'rseq',
  'reason',
]);

/**
 * Wire spelling for a header written as `original`: known headers get their canonical
 * form (compact forms expanded), unknown ones keep the sender's spelling.
 */
export function wireName(original: string, key = headerKey(original)): string {
  return KNOWN.has(key) ? canonicalName(key) : original;
}

export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}

/** Spellings most messages use, by length: the parser resolves them without a slice. */
const COMMON_SPELLINGS: ReadonlyArray<ReadonlyArray<readonly [string, readonly [string, string]]>> =
  (() => {
    const byLength: Array<Array<readonly [string, readonly [string, string]]>> = [];
    for (const spelling of [
      'Via',
      'From',
      'To',
      'Call-ID',
      'CSeq',
      'Contact',
      'Max-Forwards',
      'Content-Type',
      'Content-Length',
      'Record-Route',
      'Route',
      'Subject',
      'User-Agent',
      'Allow',
      'Supported',
      'Expires',
      'Server',
      'Require',
      'Session-Expires',
      'Min-SE',
    ]) {
      const list = byLength[spelling.length] ?? [];
      list.push([spelling, resolveName(spelling)]);
      byLength[spelling.length] = list;
    }
    return byLength;
  })();

/**
 * Key and wire name when `text` holds one of the common spellings (exact case) at
 * `pos`, `length` characters long; undefined otherwise (use resolveName).
 */
export function commonSpellingAt(
  text: string,
  pos: number,
  length: number,
): readonly [string, string] | undefined {
  const candidates = COMMON_SPELLINGS[length];
  if (candidates === undefined) return undefined;
  for (const [spelling, resolved] of candidates) {
    if (text.startsWith(spelling, pos)) return resolved;
  }
  return undefined;
}
