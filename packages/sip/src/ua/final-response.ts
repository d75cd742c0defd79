/**
 * Answering a request with one final response of our own and a fresh To tag (RFC 3261
 * §8.2.6.2): a refusal (405, 481, 482, a screening hook's 4xx…) or a request that is done
 * at once (OPTIONS' 200, §11.2). Plain functions, shared by the endpoint and INVITE
 * reception.
 */
import { createResponse } from '../message/create-response.ts';
import type { SipRequest } from '../message/sip-message.ts';
import { createTag, type RandomHex } from '../transaction/identifiers.ts';
import type { ServerTransaction, TransactionLayer } from '../transaction/transaction-layer.ts';
import { type Channel, NO_SERVER_USER } from '../transaction/transaction-types.ts';
import type { Refuse } from './endpoint-options.ts';

/** Send `answer` on the request's existing server transaction. */
export function respondFinal(
  tx: ServerTransaction,
  request: SipRequest,
  answer: Refuse,
  random: RandomHex,
): void {
  tx.respond(
    createResponse(request, answer.status, {
      reason: answer.reason,
      headers: answer.headers,
      toTag: createTag(random),
    }),
  );
}

/** Send `answer` through a new server transaction that has no user of its own. */
export function respondFinalInNewTransaction(
  transactions: TransactionLayer,
  request: SipRequest,
  reply: Channel,
  answer: Refuse,
  random: RandomHex,
): void {
  const tx = transactions.createServerTransaction(request, reply, NO_SERVER_USER);
  respondFinal(tx, request, answer, random);
}
