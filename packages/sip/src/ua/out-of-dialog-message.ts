/**
 * MESSAGE outside a dialog (RFC 3428): incoming ones become an `IncomingMessage` the app
 * may refuse while the 'message' event runs (else 200, §7); outgoing ones go through a
 * non-INVITE client transaction, answering one 401/407 challenge (§22.2).
 */
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import type { NameAddr } from '../headers/name-addr.ts';

export interface IncomingMessage {
  readonly request: SipRequest;
  readonly from: NameAddr;
  readonly contentType: string | undefined;
  readonly body: string;
  /** Refuse with a final status (e.g. 486, 488, 603) during the event; else 200. */
  reject(status: number): void;
}

export interface OutgoingMessageOptions {
  /** Request-URI, e.g. "sip:bob@127.0.0.1:5070". */
  uri: string;
  destination?: { address: string; port: number };
  /** From without tag, default `<sip:{user}@{local}>`. */
  from?: string;
  /** To, default `<{uri}>`. */
  to?: string;
  /** Default text/plain;charset=UTF-8. */
  contentType?: string;
  body: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  credentials?: { username: string; password: string };
  transport?: string;
}

export interface MessageResult {
  status: number;
  response?: SipResponse;
}
