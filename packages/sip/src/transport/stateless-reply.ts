/**
 * Stateless answers to requests the validator rejected (RFC 3261 §8.2, §16.11): built
 * from whatever could be read, with a To tag derived from the request so retransmissions
 * get identical responses (§8.2.6.2).
 */
import { createHash } from 'node:crypto';
import { createResponse } from '../message/create-response.ts';
import type { SipResponse } from '../message/sip-message.ts';
import type { Verdict } from '../validation/verdict.ts';
import { responseDestination, type SocketAddress, stampVia } from './response-routing.ts';

export interface StatelessReply {
  response: SipResponse;
  /** Where an unreliable transport sends it (§18.2.2); streams answer on the connection. */
  destination: SocketAddress;
}

export function statelessReply(
  verdict: Extract<Verdict, { kind: 'reject' }>,
  source: SocketAddress,
): StatelessReply {
  const request = verdict.request;
  let destination = source;
  try {
    stampVia(request, source);
    const via = request.topVia;
    destination = (via && responseDestination(via)) ?? source;
  } catch {
    // Unreadable Via: answer the packet's source address.
  }
  const h = request.headers;
  const toTag = createHash('sha1')
    .update(`${h.get('call-id')}|${h.get('from')}|${h.get('via')}|${h.get('cseq')}`)
    .digest('hex')
    .slice(0, 10);
  const response = createResponse(request, verdict.status, {
    reason: verdict.reason,
    headers: verdict.headers,
    toTag,
  });
  return { response, destination };
}
