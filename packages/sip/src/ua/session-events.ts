/** Typed events an INVITE session emits to the application (STYLE.md: event maps as data). */
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import type { IncomingRefer } from './refer.ts';

export type EndReason =
  /** BYE sent or received (§15). */
  | 'bye'
  /** The caller cancelled before a final response (§9). */
  | 'cancelled'
  /** A non-2xx final response to the INVITE (§13.2.2.3, §13.3.1.3). */
  | 'rejected'
  /** No final response (Timer B), or no answer to an in-dialog request (§12.2.1.2). */
  | 'timeout'
  /** The peer never ACKed our 2xx (§13.3.1.4): we sent BYE. */
  | 'ack-timeout'
  /** 481 to an in-dialog request: the peer no longer knows the dialog (§12.2.1.2). */
  | 'dialog-gone'
  | 'transport-error'
  /** The endpoint was closed. */
  | 'closed';

export interface SessionEnd {
  reason: EndReason;
  /** Who ended it: 'local' (our app or stack) or 'remote' (the peer). */
  by: 'local' | 'remote';
  /** Final status of the INVITE for 'rejected' / 'cancelled'. */
  status?: number;
}

/** An in-dialog INVITE (re-INVITE, §14.2) waiting for the application's answer. */
export interface ReinviteOffer {
  readonly request: SipRequest;
  /** The new remote SDP offer, undefined for an offerless re-INVITE. */
  readonly sdp: string | undefined;
  /** Answer 200 OK with this SDP. */
  accept(sdp: string): void;
  /** Answer with a final non-2xx status (e.g. 488). */
  reject(status: number): void;
}

export interface InfoRequest {
  readonly request: SipRequest;
  readonly contentType: string | undefined;
  readonly body: string;
}

export interface InviteSessionEvents {
  /** UAC: any provisional response (100 included). */
  progress: [response: SipResponse];
  /** UAC: 180 Ringing or 183 Session Progress; `sdp` is early media when present. */
  ringing: [response: SipResponse, sdp: string | undefined];
  /** UAC: a 2xx arrived and was ACKed. */
  answered: [sdp: string | undefined];
  /** Either side: the dialog is confirmed (UAS: ACK for our 2xx arrived). */
  confirmed: [];
  /**
   * A re-INVITE, or an UPDATE carrying an SDP offer (RFC 3311); without a listener it is
   * answered 200 with our current SDP.
   */
  reinvite: [offer: ReinviteOffer];
  /** INFO (e.g. application/dtmf-relay); answered 200 by the stack. */
  info: [info: InfoRequest];
  /** UAS: a PRACK acknowledged our reliable provisional response (RFC 3262 §3). */
  prack: [request: SipRequest];
  /** UAC: the final response to a PRACK we sent for a reliable 1xx (RFC 3262 §4). */
  pracked: [response: SipResponse];
  /** MESSAGE in the dialog (RFC 3428); answered 200 by the stack. */
  message: [message: InfoRequest];
  /**
   * REFER in the dialog (RFC 3515): call accept() (202 + NOTIFYs) or reject(status)
   * before returning or later; without a listener: 603.
   */
  refer: [refer: IncomingRefer];
  /** Emitted exactly once. */
  ended: [end: SessionEnd];
}
