/**
 * MESSAGE outside a dialog (RFC 3428): incoming ones become an `IncomingMessage` the app
 * may refuse while the 'message' event runs (else 200, §7); outgoing ones go through a
 * non-INVITE client transaction, answering one 401/407 challenge (§22.2).
 */
import type { NameAddr } from '../headers/name-addr.ts';
import { SipRequest, type SipResponse } from '../message/sip-message.ts';
import { createTag } from '../transaction/identifiers.ts';
import type { TransactionLayer } from '../transaction/transaction-layer.ts';
import type { Channel } from '../transaction/transaction-types.ts';
import { answerChallenge } from './digest-client.ts';
import { initialHeaders, type RequestOrigin } from './initial-request.ts';

export interface IncomingMessage {
  readonly request: SipRequest;
  readonly from: NameAddr;
  readonly contentType: string | undefined;
  readonly body: string;
  /** Refuse with a final status (e.g. 486, 488, 603) during the event; else 200. */
  reject(status: number): void;
}

export interface OutgoingMessageOptions {
  /** Request-URI, e.g. "sip:bob@127.0.0.1:5070". */
  uri: string;
  destination?: { address: string; port: number };
  /** From without tag, default `<sip:{user}@{local}>`. */
  from?: string;
  /** To, default `<{uri}>`. */
  to?: string;
  /** Default text/plain;charset=UTF-8. */
  contentType?: string;
  body: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  credentials?: { username: string; password: string };
  transport?: string;
}

export interface MessageResult {
  status: number;
  response?: SipResponse;
}

/** What sending a MESSAGE needs from the endpoint. */
export interface MessageSender extends RequestOrigin {
  transactions: TransactionLayer;
  /** Towards the request's destination. */
  channel: Channel;
}

/** Send a MESSAGE outside any dialog (RFC 3428 §4); one 401/407 is answered (§22.2). */
export function sendOutOfDialogMessage(
  sender: MessageSender,
  options: OutgoingMessageOptions,
): Promise<MessageResult> {
  const h = initialHeaders(sender, 'MESSAGE', options);
  for (const [name, value] of options.headers ?? []) h.append(name, value);
  h.append('Content-Type', options.contentType ?? 'text/plain;charset=UTF-8');
  const first = new SipRequest('MESSAGE', options.uri, h, Buffer.from(options.body, 'utf8'));
  const send = (request: SipRequest, retried: boolean): Promise<MessageResult> =>
    new Promise((resolve) => {
      sender.transactions.sendRequest(request, sender.channel, {
        onResponse: (r) => {
          if (r.status < 200) return;
          const credentials = options.credentials;
          if ((r.status === 401 || r.status === 407) && !retried && credentials) {
            const hh = request.headers.clone();
            hh.remove('via');
            hh.prepend('Via', sender.newVia());
            hh.set('CSeq', `${request.cseq.seq + 1} MESSAGE`);
            const retry = new SipRequest('MESSAGE', request.uriText, hh, request.body);
            const field = answerChallenge(r, retry, credentials, createTag(sender.random));
            if (field !== undefined) {
              retry.headers.append(field[0], field[1]);
              resolve(send(retry, true));
              return;
            }
          }
          resolve({ status: r.status, response: r });
        },
        onTimeout: () => resolve({ status: 408 }),
        onTransportError: () => resolve({ status: 503 }),
      });
    });
  return send(first, false);
}
