/**
 * ACK for a non-2xx final response, built by the INVITE client transaction (RFC 3261
 * §17.1.1.3): same Request-URI, Call-ID, From, CSeq number and single top Via as the
 * INVITE, To from the response (with its tag), Route copied from the INVITE.
 */
import { SipHeaders } from '../message/sip-headers.ts';
import { SipRequest, type SipResponse } from '../message/sip-message.ts';

export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const h = new SipHeaders();
  const topVia = invite.headers.values('via')[0];
  if (topVia !== undefined) h.append('Via', topVia);
  h.append('Max-Forwards', '70');
  for (const r of invite.headers.getAll('route')) h.append('Route', r);
  h.append('From', invite.headers.get('from') ?? '');
  h.append('To', response.headers.get('to') ?? invite.headers.get('to') ?? '');
  h.append('Call-ID', invite.headers.get('call-id') ?? '');
  h.append('CSeq', `${invite.cseq.seq} ACK`);
  return new SipRequest('ACK', invite.uriText, h);
}
