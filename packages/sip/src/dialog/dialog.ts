/**
 * A dialog (RFC 3261 §12): the peer-to-peer state created by a 2xx (or a 1xx with a To
 * tag) to a dialog-creating request. It builds in-dialog requests (§12.2.1.1) with the
 * route set and remote target, and checks incoming ones (§12.2.2).
 *
 *          1xx with To tag             2xx
 *   (none) -------------> +-------+ ---------> +-----------+
 *      |                  | early |            | confirmed |
 *      |  2xx             +-------+            +-----------+
 *      +-------------------------------------------^  |
 *                  non-2xx final, |                    | BYE
 *                  timeout        V                    V
 *                           +------------+<-------------+
 *                           | terminated |
 *                           +------------+
 */
import { SipErrorCode, SipStackError } from '../errors.ts';
import { formatNameAddr, type NameAddr, parseNameAddr, tagOf } from '../headers/name-addr.ts';
import { SipHeaders } from '../message/sip-headers.ts';
import { SipRequest, type SipResponse } from '../message/sip-message.ts';
import { StateMachine, type TransitionTable } from '../transaction/state-machine.ts';
import { formatUri } from '../uri/format-uri.ts';

export type DialogState = 'early' | 'confirmed' | 'terminated';

const TRANSITIONS: TransitionTable<DialogState> = {
  early: ['confirmed', 'terminated'],
  confirmed: ['terminated'],
  terminated: [],
};

export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

export function dialogKey(id: DialogId): string {
  return `${id.callId}|${id.localTag}|${id.remoteTag}`;
}

/** Target-refresh methods (RFC 3261 §12.2, RFC 3311 UPDATE, RFC 6665 SUBSCRIBE/NOTIFY, RFC 3515 REFER). */
const TARGET_REFRESH = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER']);

export interface InDialogRequestOptions {
  /** Complete Via value for this hop, with a fresh branch (see createBranch). */
  via: string;
  /** Our Contact, required in target-refresh requests (§12.2.1.1). */
  contact?: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: Buffer;
  contentType?: string;
}

function contactTarget(msg: SipRequest | SipResponse): string | undefined {
  const list = msg.contacts;
  if (list.star || list.contacts.length === 0) return undefined;
  return formatUri(list.contacts[0]!.uri);
}

/** A From/To value without its header parameters (the tag is written separately). */
function withoutParams(na: NameAddr): string {
  return formatNameAddr({ ...na, params: new Map() });
}

function requireTag(na: NameAddr, what: string): string {
  const tag = tagOf(na);
  if (tag === undefined)
    throw new SipStackError(SipErrorCode.InvalidArgument, `${what} has no tag`);
  return tag;
}

export class Dialog {
  readonly id: DialogId;
  /**
   * From/To values as we write them (local = our side, remote = the peer), without tag:
   * formatted on first use (many dialogs never send a request of their own).
   */
  #localUri: NameAddr | string;
  #remoteUri: NameAddr | string;
  remoteTarget: string;
  /** Route set, in the order Route headers are written (§12.1.1, §12.1.2). */
  routeSet: string[];
  /** Undefined until we send (UAS) or receive (UAC) a request in the dialog. */
  localSeq: number | undefined;
  remoteSeq: number | undefined;
  readonly #fsm: StateMachine<DialogState>;
  #key: string | undefined;

  private constructor(init: {
    id: DialogId;
    localUri: NameAddr;
    remoteUri: NameAddr;
    remoteTarget: string;
    routeSet: string[];
    localSeq: number | undefined;
    remoteSeq: number | undefined;
    state: 'early' | 'confirmed';
  }) {
    this.id = init.id;
    this.#localUri = init.localUri;
    this.#remoteUri = init.remoteUri;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.#fsm = new StateMachine<DialogState>('dialog', init.state, TRANSITIONS);
  }

  /** §12.1.1: the UAS side, from the request and the 1xx/2xx (with To tag) we send. */
  static asUas(request: SipRequest, response: SipResponse): Dialog {
    // RFC 2543 peers may omit Contact (RFC 4475 "inv2543"): their From URI is the only
    // target we have.
    const remoteTarget = contactTarget(request) ?? formatUri(request.from.uri);
    return new Dialog({
      id: {
        callId: request.callId,
        localTag: requireTag(response.to, 'response To'),
        // §12.1.1: a From without tag (RFC 2543) counts as a null remote tag.
        remoteTag: tagOf(request.from) ?? '',
      },
      localUri: response.to,
      remoteUri: request.from,
      remoteTarget,
      routeSet: request.headers.values('record-route'),
      localSeq: undefined,
      remoteSeq: request.cseq.seq,
      state: response.status < 200 ? 'early' : 'confirmed',
    });
  }

  /** §12.1.2: the UAC side, from our request and the 1xx/2xx (with To tag) received. */
  static asUac(request: SipRequest, response: SipResponse): Dialog {
    return new Dialog({
      id: {
        callId: request.callId,
        localTag: requireTag(request.from, 'request From'),
        remoteTag: requireTag(response.to, 'response To'),
      },
      localUri: request.from,
      remoteUri: response.to,
      remoteTarget: contactTarget(response) ?? request.uriText,
      routeSet: response.headers.values('record-route').reverse(),
      localSeq: request.cseq.seq,
      remoteSeq: undefined,
      state: response.status < 200 ? 'early' : 'confirmed',
    });
  }

  get state(): DialogState {
    return this.#fsm.state;
  }

  get localUri(): string {
    if (typeof this.#localUri !== 'string') this.#localUri = withoutParams(this.#localUri);
    return this.#localUri;
  }

  get remoteUri(): string {
    if (typeof this.#remoteUri !== 'string') this.#remoteUri = withoutParams(this.#remoteUri);
    return this.#remoteUri;
  }

  /** The dialog table key (dialogKey of `id`, computed once). */
  get key(): string {
    this.#key ??= dialogKey(this.id);
    return this.#key;
  }

  /**
   * UAC: a later response in the dialog. A 2xx confirms an early dialog and recomputes its
   * route set (§13.2.2.4); 1xx/2xx refresh the remote target (§12.1.2).
   */
  receiveResponse(response: SipResponse, asUac = true): void {
    if (this.#fsm.is('terminated') || response.status >= 300) return;
    const target = contactTarget(response);
    if (target !== undefined) this.remoteTarget = target;
    if (response.status >= 200 && this.#fsm.is('early')) {
      this.#fsm.transition('confirmed');
      if (asUac) this.routeSet = response.headers.values('record-route').reverse();
    }
  }

  /** UAS: the dialog-creating transaction's 2xx was sent. */
  confirm(): void {
    if (this.#fsm.is('early')) this.#fsm.transition('confirmed');
  }

  terminate(): void {
    if (!this.#fsm.is('terminated')) this.#fsm.transition('terminated');
  }

  /**
   * §12.2.2: check an incoming in-dialog request. 'out-of-order' (answer 500) when its CSeq
   * is lower than the last one seen; target-refresh requests update the remote target.
   */
  receiveRequest(request: SipRequest): 'ok' | 'out-of-order' {
    const seq = request.cseq.seq;
    if (request.method !== 'ACK' && request.method !== 'CANCEL') {
      if (this.remoteSeq !== undefined && seq <= this.remoteSeq) {
        // A retransmission is caught by the transaction layer before reaching here.
        return 'out-of-order';
      }
      this.remoteSeq = seq;
    }
    if (TARGET_REFRESH.has(request.method)) {
      const target = contactTarget(request);
      if (target !== undefined) this.remoteTarget = target;
    }
    return 'ok';
  }

  /** §12.2.1.1: a new request in the dialog (CSeq incremented). */
  createRequest(method: string, options: InDialogRequestOptions): SipRequest {
    if (method === 'ACK' || method === 'CANCEL') {
      throw new SipStackError(
        SipErrorCode.InvalidArgument,
        `${method} reuses the INVITE's CSeq; use createAck`,
      );
    }
    if (this.#fsm.is('terminated')) {
      throw new SipStackError(SipErrorCode.IllegalTransition, 'dialog is terminated');
    }
    // §8.1.1.5: any starting value below 2**31 will do; a UAS dialog starts at 1.
    this.localSeq = (this.localSeq ?? 0) + 1;
    return this.#build(method, this.localSeq, options);
  }

  /** §13.2.2.4: the ACK for a 2xx to the INVITE with CSeq `inviteSeq`. */
  createAck(inviteSeq: number, options: InDialogRequestOptions): SipRequest {
    return this.#build('ACK', inviteSeq, options);
  }

  #build(method: string, seq: number, options: InDialogRequestOptions): SipRequest {
    const h = new SipHeaders();
    h.append('Via', options.via);
    h.append('Max-Forwards', '70');
    let requestUri = this.remoteTarget;
    const routes = [...this.routeSet];
    const first = routes[0];
    if (first !== undefined) {
      const firstRoute = parseNameAddr(first, 'Route');
      const loose = firstRoute.uri.kind === 'sip' && firstRoute.uri.params.has('lr');
      if (!loose) {
        // §12.2.1.1 strict routing: the first route becomes the Request-URI (without
        // parameters not allowed there) and the remote target goes last.
        const uri = firstRoute.uri;
        if (uri.kind === 'sip') {
          uri.params.delete('method');
          uri.headers = [];
        }
        requestUri = formatUri(uri);
        routes.shift();
        routes.push(`<${this.remoteTarget}>`);
      }
    }
    for (const r of routes) h.append('Route', r);
    h.append('From', `${this.localUri};tag=${this.id.localTag}`);
    h.append('To', `${this.remoteUri};tag=${this.id.remoteTag}`);
    h.append('Call-ID', this.id.callId);
    h.append('CSeq', `${seq} ${method}`);
    if (options.contact !== undefined) h.append('Contact', options.contact);
    for (const [name, value] of options.headers ?? []) h.append(name, value);
    if (options.body !== undefined && options.contentType !== undefined)
      h.append('Content-Type', options.contentType);
    return new SipRequest(method, requestUri, h, options.body);
  }
}
