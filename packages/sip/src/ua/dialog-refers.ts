/**
 * The REFER side of one INVITE session (RFC 3515, RFC 4488): REFERs the peer sends us
 * (→ an `IncomingRefer` for the app, or 603 without a listener), REFERs we send with their
 * implicit subscriptions, and the NOTIFYs that report on those (matched by the Event
 * header's id, §2.4.4). The session hands requests over and supplies a `ReferSessionPort`;
 * the subscription state machines themselves are in refer.ts.
 */
import { parseNameAddr } from '../headers/name-addr.ts';
import { createResponse } from '../message/create-response.ts';
import type { SipRequest } from '../message/sip-message.ts';
import type { TransactionLayer } from '../transaction/transaction-layer.ts';
import { type Channel, NO_SERVER_USER } from '../transaction/transaction-types.ts';
import type { SessionRequestOptions, InDialogRequestResult } from './in-dialog-request.ts';
import { IncomingRefer, OutgoingRefer, parseEvent, type ReferDialogPort } from './refer.ts';

export interface ReferOptions {
  /** RFC 4488: ask for no implicit subscription (Refer-Sub: false, Supported: norefersub). */
  noSubscription?: boolean;
  /** Referred-By value (RFC 3892). */
  referredBy?: string;
  headers?: ReadonlyArray<readonly [string, string]>;
}

/** What the owning session lends the REFER handling. */
export interface ReferSessionPort {
  readonly transactions: TransactionLayer;
  /** Our Contact, for 2xx to REFER (a target refresh, §2.4.1 with RFC 3261 §12.2). */
  readonly contact: string;
  /** Send an in-dialog request (with our Contact when asked); its final response. */
  send(method: 'REFER' | 'NOTIFY', options: SessionRequestOptions): Promise<InDialogRequestResult>;
  /** The dialog can carry requests (confirmed, or accepted awaiting ACK). */
  usable(): boolean;
  /** CSeq number the next request of ours will carry. */
  nextSeq(): number;
  /** Hand an incoming REFER to the app; false when nobody listens. */
  deliver(refer: IncomingRefer): boolean;
}

export class DialogRefers {
  readonly #port: ReferSessionPort;
  /** REFERs we sent whose subscription is still open, by REFER CSeq (RFC 3515). */
  readonly #outgoing = new Map<number, OutgoingRefer>();

  constructor(port: ReferSessionPort) {
    this.#port = port;
  }

  /**
   * RFC 3515 §2.4.1: exactly one Refer-To, else 400. The app answers through the
   * IncomingRefer ('refer' event); without a listener 603 Decline.
   */
  receiveRefer(request: SipRequest, reply: Channel): void {
    const values = request.headers.values('refer-to');
    let referTo: ReturnType<typeof parseNameAddr> | undefined;
    try {
      if (values.length === 1) referTo = parseNameAddr(values[0]!, 'Refer-To');
    } catch {
      referTo = undefined;
    }
    const tx = this.#port.transactions.createServerTransaction(request, reply, NO_SERVER_USER);
    if (referTo === undefined) {
      tx.respond(createResponse(request, 400, { reason: 'Bad Refer-To Header' }));
      return;
    }
    const dialogPort: ReferDialogPort = {
      send: (method, headers, body, contentType) =>
        this.#port
          .send(method, { headers, body, contentType, contact: true })
          .then((r) => r.status),
      alive: () => this.#port.usable(),
    };
    const refer = new IncomingRefer(request, referTo, dialogPort, (status, headers) => {
      if (tx.state === 'completed' || tx.state === 'terminated') return;
      tx.respond(
        createResponse(request, status, {
          headers: [['Contact', this.#port.contact], ...headers],
        }),
      );
    });
    if (!this.#port.deliver(refer)) refer.reject(603);
  }

  /**
   * NOTIFY for a REFER we sent (RFC 3515 §2.4.4): the status to answer it with; 489 for
   * another event package, 481 for no such subscription (RFC 6665 §4.1.3).
   */
  receiveNotify(request: SipRequest): number {
    const event = parseEvent(request.headers.get('event'));
    if (event === undefined || event.pkg !== 'refer') return 489;
    const id = event.id === undefined ? undefined : Number(event.id);
    // Without an id the NOTIFY belongs to the first REFER of the dialog (§2.4.4).
    const refer =
      id !== undefined && Number.isFinite(id)
        ? this.#outgoing.get(id)
        : this.#outgoing.values().next().value;
    if (refer === undefined) return 481;
    const status = refer.notified(request);
    if (refer.done) this.#outgoing.delete(refer.seq);
    return status;
  }

  /**
   * Ask the peer to send a request to `target` (RFC 3515), e.g. a blind transfer. The
   * result reports the REFER's status and the NOTIFY progress; `settled` resolves when
   * the subscription ends (or at once on a rejection / Refer-Sub: false).
   */
  refer(target: string, options: ReferOptions): OutgoingRefer {
    const headers: Array<readonly [string, string]> = [
      ['Refer-To', target.startsWith('<') ? target : `<${target}>`],
    ];
    if (options.referredBy !== undefined) headers.push(['Referred-By', options.referredBy]);
    if (options.noSubscription === true) {
      headers.push(['Refer-Sub', 'false'], ['Supported', 'norefersub']);
    }
    headers.push(...(options.headers ?? []));
    const seq = this.#port.nextSeq();
    const refer = new OutgoingRefer(seq, options.noSubscription !== true);
    if (!this.#port.usable()) {
      refer.responded(481, false);
      return refer;
    }
    this.#outgoing.set(seq, refer);
    void this.#port.send('REFER', { headers, contact: true }).then((r) => {
      // RFC 4488 §4: the recipient confirms with Refer-Sub: false; a 2xx to our
      // Refer-Sub: false without it still means no NOTIFYs are owed.
      const subFalse = r.response?.headers.get('refer-sub')?.trim().toLowerCase() === 'false';
      refer.responded(r.status, subFalse || !refer.subscription);
      if (refer.done) this.#outgoing.delete(seq);
    });
    return refer;
  }

  /** The session ended: every open subscription is abandoned. */
  abandonAll(): void {
    for (const r of this.#outgoing.values()) r.abandon();
    this.#outgoing.clear();
  }
}
