/**
 * Requests outside a dialog as a UAC builds them (RFC 3261 §8.1.1): the header set every
 * such request carries, and the initial INVITE (§13.2.1) with our option tags (RFC 3262,
 * RFC 4028 §7.1) and an optional SDP offer.
 */
import { SipHeaders } from '../message/sip-headers.ts';
import { SipRequest } from '../message/sip-message.ts';
import { createCallId, createTag, type RandomHex } from '../transaction/identifiers.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import type { OutgoingCallOptions } from './endpoint-options.ts';
import { hostPort } from './endpoint-transport.ts';
import { ALLOW } from './invite-session.ts';
import { SUPPORTED_OPTION_TAGS } from './option-tags.ts';

/** Where a request starts from: the endpoint's transport and identity. */
export interface RequestOrigin {
  /** The transport's local address (From default, Call-ID host). */
  local: SocketAddress;
  /** A fresh Via for this transport (new branch each call). */
  newVia(): string;
  random: RandomHex;
  /** User part of the default From. */
  user: string;
}

/** Via, Max-Forwards, From (new tag), To, Call-ID and CSeq 1 (§8.1.1). */
export function initialHeaders(
  origin: RequestOrigin,
  method: string,
  o: { uri: string; from?: string | undefined; to?: string | undefined },
): SipHeaders {
  const h = new SipHeaders();
  h.append('Via', origin.newVia());
  h.append('Max-Forwards', '70');
  h.append(
    'From',
    `${o.from ?? `<sip:${origin.user}@${hostPort(origin.local)}>`};tag=${createTag(origin.random)}`,
  );
  h.append('To', o.to ?? `<${o.uri}>`);
  h.append('Call-ID', createCallId(origin.local.address, origin.random));
  h.append('CSeq', `1 ${method}`);
  return h;
}

/** The initial INVITE of a call (§13.2.1). */
export function buildInitialInvite(
  origin: RequestOrigin & { contact: string },
  options: OutgoingCallOptions,
): SipRequest {
  const h = initialHeaders(origin, 'INVITE', options);
  h.append('Contact', origin.contact);
  const extra = options.headers ?? [];
  // An app may narrow what it allows (e.g. a peer without UPDATE); else the full list.
  if (!extra.some(([name]) => name.toLowerCase() === 'allow')) h.append('Allow', ALLOW);
  const timer = options.sessionTimer;
  if (!extra.some(([name]) => name.toLowerCase() === 'supported')) {
    // "timer" only when we will act on it (RFC 4028 §7.1).
    const tags = SUPPORTED_OPTION_TAGS.filter((t) => t !== 'timer' || timer !== undefined);
    h.append('Supported', tags.join(', '));
  }
  if (options.require100rel === true) h.append('Require', '100rel');
  if (timer !== undefined) {
    const minSE = Math.max(90, timer.minSE ?? 90);
    const refresher = timer.refresher === undefined ? '' : `;refresher=${timer.refresher}`;
    h.append('Session-Expires', `${Math.max(minSE, timer.interval ?? 1800)}${refresher}`);
    h.append('Min-SE', String(minSE));
  }
  for (const [name, value] of extra) h.append(name, value);
  let body: Buffer | undefined;
  if (options.sdp !== undefined) {
    h.append('Content-Type', 'application/sdp');
    body = Buffer.from(options.sdp, 'utf8');
  }
  return new SipRequest('INVITE', options.uri, h, body);
}
