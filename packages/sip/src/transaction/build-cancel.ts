/**
 * CANCEL for a pending request (RFC 3261 §9.1): same Request-URI, Call-ID, To, From and
 * CSeq number (method CANCEL), a single Via equal to the request's top Via (so it reaches
 * the same server transaction, §9.2), and the request's Route headers.
 */
import { SipHeaders } from '../message/sip-headers.ts';
import { SipRequest } from '../message/sip-message.ts';

export function buildCancel(request: SipRequest): SipRequest {
  const h = new SipHeaders();
  const topVia = request.headers.values('via')[0];
  if (topVia !== undefined) h.append('Via', topVia);
  h.append('Max-Forwards', '70');
  for (const r of request.headers.getAll('route')) h.append('Route', r);
  h.append('From', request.headers.get('from') ?? '');
  h.append('To', request.headers.get('to') ?? '');
  h.append('Call-ID', request.headers.get('call-id') ?? '');
  h.append('CSeq', `${request.cseq.seq} CANCEL`);
  return new SipRequest('CANCEL', request.uriText, h);
}
