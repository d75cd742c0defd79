/**
 * The B2BUA helper: every INVITE a SipEndpoint receives becomes a B2buaCall whose leg B
 * is opened through the same endpoint (see b2bua-call.ts for what crosses between legs).
 * The app chooses the target (`route`) and may rewrite SDP (`rewriteSdp`).
 *
 *   const b2bua = new B2bua(endpoint, { route: (a) => ({ uri: contactOf(a) }) });
 *   b2bua.on('call', (call) => call.on('ended', log));
 */
import { EventEmitter } from 'node:events';
import type { SipEndpoint } from '../ua/sip-endpoint.ts';
import type { IncomingInviteSession } from '../ua/incoming-invite-session.ts';
import { B2buaCall, type B2buaHooks } from './b2bua-call.ts';

export interface B2buaEvents {
  call: [call: B2buaCall];
}

export class B2bua extends EventEmitter<B2buaEvents> {
  readonly #endpoint: SipEndpoint;
  readonly #hooks: B2buaHooks;
  readonly #calls = new Set<B2buaCall>();
  readonly #onInvite = (a: IncomingInviteSession): void => {
    this.bridge(a);
  };

  /** Takes over the endpoint's 'invite' event. */
  constructor(endpoint: SipEndpoint, hooks: B2buaHooks) {
    super();
    this.#endpoint = endpoint;
    this.#hooks = hooks;
    endpoint.on('invite', this.#onInvite);
  }

  /** Calls in progress. */
  get calls(): ReadonlySet<B2buaCall> {
    return this.#calls;
  }

  /** Link an incoming session to a new outgoing one (also usable without the constructor's listener). */
  bridge(a: IncomingInviteSession): B2buaCall {
    const call = new B2buaCall(
      a,
      this.#hooks,
      (route) => this.#endpoint.invite(route),
      this.#endpoint.clock,
    );
    this.#calls.add(call);
    call.once('ended', () => this.#calls.delete(call));
    this.emit('call', call);
    void call.start();
    return call;
  }

  /** Stop taking new calls; hang up the ones in progress. */
  close(): void {
    this.#endpoint.off('invite', this.#onInvite);
    for (const c of [...this.#calls]) c.hangup();
  }
}
