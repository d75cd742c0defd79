/** A request a session sends inside its dialog (other than INVITE, ACK, BYE), and its outcome. */
import type { SipResponse } from '../message/sip-message.ts';

export interface SessionRequestOptions {
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: string;
  contentType?: string;
  /** Add our Contact (target refresh requests: UPDATE, REFER, NOTIFY). */
  contact?: boolean;
}

export interface InDialogRequestResult {
  /** The final status; 408 on timeout, 503 on a transport error (no `response` then). */
  status: number;
  response?: SipResponse;
}
