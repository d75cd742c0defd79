/**
 * Transaction matching keys (RFC 3261 §17.1.3 client side, §17.2.3 server side).
 */
import { tagOf } from '../headers/name-addr.ts';
import { formatVia, hasRfc3261Branch, type Via, viaBranch } from '../headers/via.ts';
import type { SipMessage, SipRequest } from '../message/sip-message.ts';

/**
 * Keys outlive their messages (a completed transaction waits 64*T1): join copies the parts
 * into one flat string, where a template literal would keep slices of the message text and
 * with them the whole message.
 */
function flatKey(parts: Array<string | number>): string {
  return parts.join('|');
}

function topVia(msg: SipMessage): Via {
  const via = msg.topVia;
  if (via === undefined) throw new TypeError('message without Via');
  return via;
}

/**
 * §17.1.3: a response matches a client transaction by the top Via branch and the CSeq
 * method (so a CANCEL's responses never reach the INVITE sharing its branch).
 */
export function clientKey(msg: SipMessage): string {
  return flatKey(['c', viaBranch(topVia(msg)) ?? '', msg.cseq.method]);
}

/**
 * The last RFC 3261 server key computed, by the parsed top Via it came from (a Via that
 * changes is parsed again into a new object, so identity is a safe test).
 */
let lastVia: Via | undefined;
let lastMethod = '';
let lastKey = '';

/** ACK belongs to the INVITE transaction it acknowledges (§17.2.3). */
function serverMethod(method: string): string {
  return method === 'ACK' ? 'INVITE' : method;
}

/**
 * §17.2.3: with an RFC 3261 branch, match on branch + sent-by + method (ACK → INVITE).
 * Otherwise fall back to RFC 2543 matching on Request-URI, tags, Call-ID, CSeq and top
 * Via. The To tag is left out for INVITE/ACK because the ACK carries the tag of our
 * response while the INVITE did not (a simplification of §17.2.3's ACK rule).
 */
export function serverKey(req: SipRequest, methodOverride?: string): string {
  const via = topVia(req);
  const method = methodOverride ?? serverMethod(req.method);
  if (hasRfc3261Branch(via)) {
    // A new request is looked up, then its transaction is created: same key twice.
    if (via === lastVia && method === lastMethod) return lastKey;
    const sentBy = `${via.host.toLowerCase()}:${via.port ?? ''}`;
    lastKey = flatKey(['s', viaBranch(via) ?? '', sentBy, method]);
    lastVia = via;
    lastMethod = method;
    return lastKey;
  }
  const toTag = method === 'INVITE' ? '' : (tagOf(req.to) ?? '');
  const fromTag = tagOf(req.from) ?? '';
  return flatKey([
    's2543',
    req.uriText,
    toTag,
    fromTag,
    req.callId,
    req.cseq.seq,
    method,
    formatVia(via),
  ]);
}

/** §9.2: the INVITE server transaction a CANCEL refers to has the same key but method INVITE. */
export function cancelTargetKey(cancel: SipRequest): string {
  return serverKey(cancel, 'INVITE');
}
