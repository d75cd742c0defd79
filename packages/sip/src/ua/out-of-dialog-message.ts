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
import type { Refuse } from './endpoint-options.ts';
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

/** How the endpoint lets an incoming MESSAGE through. */
export interface MessageReception {
  /** Admission control (e.g. a digest challenge, §22) before any listener sees it. */
  screen:
    | ((
        request: SipRequest,
        source: { address: string; port: number },
      ) => Refuse | undefined | Promise<Refuse | undefined>)
    | undefined;
  /** Hand it to the app ('message' event). */
  deliver(message: IncomingMessage): void;
  /** Answer on the MESSAGE's server transaction. */
  answer(refuse: Refuse): void;
  /** The transaction can still be answered (not after a late screening). */
  open(): boolean;
}

/**
 * An out-of-dialog MESSAGE the app listens for: screened first, so nothing reaches the
 * app from a sender it has not admitted; then 200 once delivered, unless the app refused
 * during the event (RFC 3428 §7). A From that does not parse gets 400.
 */
export function receiveOutOfDialogMessage(
  request: SipRequest,
  source: { address: string; port: number },
  reception: MessageReception,
): void {
  let from: NameAddr;
  try {
    from = request.from;
  } catch {
    reception.answer({ status: 400 });
    return;
  }
  const admit = (refusal: Refuse | undefined): void => {
    if (!reception.open()) return;
    if (refusal !== undefined) {
      reception.answer(refusal);
      return;
    }
    let status = 200;
    reception.deliver({
      request,
      from,
      contentType: request.contentType,
      body: request.body.toString('utf8'),
      reject: (s) => {
        if (s >= 300 && s <= 699) status = s;
      },
    });
    reception.answer({ status });
  };
  const screened = reception.screen?.(request, source);
  if (screened instanceof Promise) screened.then(admit, () => admit({ status: 500 }));
  else admit(screened);
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
