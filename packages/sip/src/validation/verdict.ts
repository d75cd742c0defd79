/** What the receiving side should do with an incoming message. */
import type { SipParseError } from '../errors.ts';
import type { SipMessage, SipRequest } from '../message/sip-message.ts';

export type Verdict =
  /** Well-formed enough to hand to the transaction layer. */
  | { readonly kind: 'accept'; readonly message: SipMessage }
  /** Answer the request with this status (build it with createResponse). */
  | {
      readonly kind: 'reject';
      readonly request: SipRequest;
      readonly status: number;
      readonly reason: string;
      /** Header fields the response must carry (Unsupported, Accept, ...). */
      readonly headers: ReadonlyArray<readonly [string, string]>;
      readonly error: SipParseError | undefined;
    }
  /** Silently discard (malformed responses, ACKs, unanswerable garbage). */
  | { readonly kind: 'drop'; readonly reason: string; readonly error: SipParseError | undefined };

/** A verdict that is not an acceptance. */
export type Refusal = Exclude<Verdict, { readonly kind: 'accept' }>;
