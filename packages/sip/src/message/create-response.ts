/**
 * Build a response to a request (RFC 3261 §8.2.6): Via, From, To, Call-ID and CSeq are
 * copied; a To tag is added to non-100 responses that lack one (§8.2.6.2); Record-Route is
 * copied into dialog-creating responses (§12.1.1). Header values are copied raw so even a
 * malformed request can be answered with a 400.
 */
import { SipHeaders } from './sip-headers.ts';
import { type SipRequest, SipResponse } from './sip-message.ts';
import { reasonPhrase } from './status-reasons.ts';

export interface ResponseOptions {
  reason?: string;
  /** To tag to add when the request's To has none (ignored for 100 Trying). */
  toTag?: string;
  /** Extra header fields, in order (e.g. Unsupported, Accept, Allow). */
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: Buffer;
}

function hasTag(to: string): boolean {
  // Good enough on raw text: a tag parameter outside the URI's angle brackets.
  const gt = to.lastIndexOf('>');
  return /;\s*tag\s*=/i.test(gt < 0 ? to : to.slice(gt));
}

export function createResponse(
  request: SipRequest,
  status: number,
  options: ResponseOptions = {},
): SipResponse {
  const h = new SipHeaders();
  for (const v of request.headers.getAll('via')) h.append('Via', v);
  const from = request.headers.get('from');
  if (from !== undefined) h.append('From', from);
  const to = request.headers.get('to');
  if (to !== undefined) {
    h.append(
      'To',
      options.toTag !== undefined && status !== 100 && !hasTag(to)
        ? `${to};tag=${options.toTag}`
        : to,
    );
  }
  const callId = request.headers.get('call-id');
  if (callId !== undefined) h.append('Call-ID', callId);
  const cseq = request.headers.get('cseq');
  if (cseq !== undefined) h.append('CSeq', cseq);
  if (status > 100 && status < 300) {
    for (const rr of request.headers.getAll('record-route')) h.append('Record-Route', rr);
  }
  for (const [name, value] of options.headers ?? []) h.append(name, value);
  return new SipResponse(status, options.reason ?? reasonPhrase(status), h, options.body);
}
