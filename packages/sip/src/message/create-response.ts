/**
 * Build a response to a request (RFC 3261 §8.2.6): Via, From, To, Call-ID and CSeq are
 * copied; a To tag is added to non-100 responses that lack one (§8.2.6.2); Record-Route is
 * copied into dialog-creating responses (§12.1.1). Header values are copied raw so even a
 * malformed request can be answered with a 400.
 */
import { type HeaderField, SipHeaders } from './sip-headers.ts';
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
  // One pass over the request; its fields are reused as they are (field objects never
  // change), in the order §8.2.6.2 lists them.
  const vias: HeaderField[] = [];
  const recordRoutes: HeaderField[] = [];
  let from: HeaderField | undefined;
  let to: HeaderField | undefined;
  let callId: HeaderField | undefined;
  let cseq: HeaderField | undefined;
  for (const f of request.headers) {
    switch (f.key) {
      case 'via':
        vias.push(f);
        break;
      case 'from':
        from ??= f;
        break;
      case 'to':
        to ??= f;
        break;
      case 'call-id':
        callId ??= f;
        break;
      case 'cseq':
        cseq ??= f;
        break;
      case 'record-route':
        recordRoutes.push(f);
        break;
    }
  }
  const fields: HeaderField[] = vias;
  if (from !== undefined) fields.push(from);
  if (to !== undefined) {
    const tagged = options.toTag !== undefined && status !== 100 && !hasTag(to.value);
    fields.push(tagged ? SipHeaders.field('To', `${to.value};tag=${options.toTag}`) : to);
  }
  if (callId !== undefined) fields.push(callId);
  if (cseq !== undefined) fields.push(cseq);
  if (status > 100 && status < 300) fields.push(...recordRoutes);
  // Extra fields go in before the container exists: nothing to track as a change.
  const extra = options.headers;
  if (extra !== undefined) {
    for (const [name, value] of extra) fields.push(SipHeaders.checkedField(name, value));
  }
  return new SipResponse(
    status,
    options.reason ?? reasonPhrase(status),
    new SipHeaders(fields),
    options.body,
  );
}
