/**
 * The one catalogue of error codes raised by the SIP stack. Codes are stable strings so
 * callers (and logs) can branch on them; mapping to a SIP status happens only at the edge
 * (see validation/validate-message.ts).
 */
import type { SipMessage } from './message/sip-message.ts';

export const SipErrorCode = {
  /** Nothing but whitespace / CRLF keep-alives in the buffer. */
  EmptyMessage: 'SIP_EMPTY_MESSAGE',
  /** Start line is neither a Request-Line nor a Status-Line (RFC 3261 §7.1, §7.2). */
  BadStartLine: 'SIP_BAD_START_LINE',
  /** Status-Code is not three digits in 100..699 (RFC 3261 §7.2, §21). */
  BadStatusCode: 'SIP_BAD_STATUS_CODE',
  /** The Request-URI or a header URI does not follow RFC 3261 §19.1 / RFC 3986. */
  BadUri: 'SIP_BAD_URI',
  /** A header line has no colon or an invalid field name (RFC 3261 §7.3.1). */
  BadHeaderLine: 'SIP_BAD_HEADER_LINE',
  /** A header value does not follow its grammar (RFC 3261 §25.1). */
  BadHeaderValue: 'SIP_BAD_HEADER_VALUE',
  /** A header that may appear once appears more than once (RFC 3261 §7.3.1). */
  DuplicateHeader: 'SIP_DUPLICATE_HEADER',
  /** A mandatory header is missing (RFC 3261 §8.1.1). */
  MissingHeader: 'SIP_MISSING_HEADER',
  /** The empty line that ends the header section is missing (RFC 3261 §7). */
  HeadersIncomplete: 'SIP_HEADERS_INCOMPLETE',
  /** Content-Length is not a valid non-negative integer (RFC 3261 §20.14). */
  BadContentLength: 'SIP_BAD_CONTENT_LENGTH',
  /** Fewer body bytes than Content-Length announces (RFC 3261 §18.3). */
  BodyTruncated: 'SIP_BODY_TRUNCATED',
  /** Stream transports require Content-Length (RFC 3261 §18.3, §20.14). */
  MissingContentLength: 'SIP_MISSING_CONTENT_LENGTH',
  /** The message, header section or body is larger than the configured limit. */
  MessageTooLarge: 'SIP_MESSAGE_TOO_LARGE',
  /** A state machine was asked for a transition its diagram does not have. */
  IllegalTransition: 'SIP_ILLEGAL_TRANSITION',
  /** Timer B / F / H expired (RFC 3261 §17). */
  TransactionTimeout: 'SIP_TRANSACTION_TIMEOUT',
  /** The transport could not send a message (RFC 3261 §17.1.4, §17.2.4). */
  TransportError: 'SIP_TRANSPORT_ERROR',
  /** An API was used outside its contract (e.g. sending a request as a response). */
  InvalidArgument: 'SIP_INVALID_ARGUMENT',
} as const;
export type SipErrorCode = (typeof SipErrorCode)[keyof typeof SipErrorCode];

/** Error raised while parsing a SIP message or one of its parts. */
export class SipParseError extends Error {
  override readonly name = 'SipParseError';
  readonly code: SipErrorCode;
  /** Canonical name of the header at fault, when one is. */
  readonly header: string | undefined;
  /**
   * What could be parsed before the error (start line and headers), so a request can still
   * be answered with the right status (RFC 3261 §8.2, RFC 4475 §3.1.2). Undefined when the
   * start line itself is unreadable.
   */
  partial: SipMessage | undefined;

  constructor(code: SipErrorCode, detail: string, header?: string) {
    super(detail);
    this.code = code;
    this.header = header;
    this.partial = undefined;
  }
}

export function isSipParseError(err: unknown): err is SipParseError {
  return err instanceof SipParseError;
}

/** Errors of the transaction and transport layers (same code catalogue). */
export class SipStackError extends Error {
  override readonly name = 'SipStackError';
  readonly code: SipErrorCode;

  constructor(code: SipErrorCode, detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.code = code;
  }
}
