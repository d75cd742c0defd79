/**
 * A REGISTER client (RFC 3261 §10.2): keeps one contact bound at a registrar — e.g. a
 * carrier trunk that wants us registered — refreshing before expiry with the same Call-ID
 * and a growing CSeq (§10.2.4), answering 401/407 (§22.2) and reusing the challenge with
 * a growing nonce-count afterwards, following 423 Min-Expires, retrying after failures,
 * and removing the binding on stop (Expires: 0, §10.2.2).
 *
 *   start ──> registering ──200──> registered ──refresh timer──> registering
 *                │   ^                  │
 *      failure / │   │ retry timer      │ stop: REGISTER Expires 0
 *      timeout   V   │                  V
 *              waiting-retry        unregistering ──any final──> stopped
 */
import { EventEmitter } from 'node:events';
import type { TimerHandle } from '../clock/clock.ts';
import { SipHeaders } from '../message/sip-headers.ts';
import { SipRequest, type SipResponse } from '../message/sip-message.ts';
import { StateMachine, type TransitionTable } from '../transaction/state-machine.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import { answerChallenge, type ClientCredentials } from './digest-client.ts';
import type { SessionHost } from './session-host.ts';

export type RegistrationState =
  | 'idle'
  | 'registering'
  | 'registered'
  | 'waiting-retry'
  | 'unregistering'
  | 'stopped';

const TRANSITIONS: TransitionTable<RegistrationState> = {
  idle: ['registering', 'stopped'],
  registering: ['registered', 'waiting-retry', 'unregistering', 'stopped'],
  registered: ['registering', 'unregistering', 'stopped'],
  'waiting-retry': ['registering', 'unregistering', 'stopped'],
  unregistering: ['stopped'],
  stopped: [],
};

export interface RegistrationOptions {
  /** Request-URI: the registrar's domain, e.g. "sip:trunk.example.net". */
  registrar: string;
  /** Where to send REGISTER (IP literal); default from the registrar URI. */
  destination: SocketAddress;
  /** Address-of-record (To and From), e.g. "sip:0312345678@trunk.example.net". */
  aor: string;
  /** Requested lifetime in seconds (default 3600). */
  expires?: number;
  credentials?: ClientCredentials;
  /** Wait after a failure before trying again (default 30 s). */
  retryMs?: number;
}

export interface RegistrationEvents {
  /** Bound for `expires` seconds (as granted by the registrar). */
  registered: [expires: number];
  /** A REGISTER failed (final status, 408 for a timeout); a retry is scheduled. */
  failed: [status: number];
  /** stop() finished. */
  stopped: [];
}

export class RegistrationClient extends EventEmitter<RegistrationEvents> {
  readonly #host: SessionHost;
  readonly #options: RegistrationOptions;
  readonly #callId: string;
  readonly #fromTag: string;
  readonly #fsm = new StateMachine<RegistrationState>('registration', 'idle', TRANSITIONS);
  #cseq = 0;
  #expires: number;
  #timer: TimerHandle | undefined;
  /** The last challenge, reused with a growing nonce-count (RFC 7616 §3.4). */
  #challenge: { response: SipResponse; count: number } | undefined;
  #authRounds = 0;

  /** Use SipEndpoint.register. */
  constructor(host: SessionHost, options: RegistrationOptions, callId: string) {
    super();
    this.#host = host;
    this.#options = options;
    this.#callId = callId;
    this.#fromTag = host.newTag();
    this.#expires = options.expires ?? 3600;
  }

  get state(): RegistrationState {
    return this.#fsm.state;
  }

  start(): void {
    if (!this.#fsm.is('idle')) return;
    this.#register();
  }

  #build(expires: number): SipRequest {
    const h = new SipHeaders();
    h.append('Via', this.#host.newVia());
    h.append('Max-Forwards', '70');
    h.append('From', `<${this.#options.aor}>;tag=${this.#fromTag}`);
    h.append('To', `<${this.#options.aor}>`);
    h.append('Call-ID', this.#callId);
    h.append('CSeq', `${++this.#cseq} REGISTER`);
    h.append('Contact', this.#host.contact);
    h.append('Expires', String(expires));
    const request = new SipRequest('REGISTER', this.#options.registrar, h);
    const credentials = this.#options.credentials;
    const challenge = this.#challenge;
    if (credentials !== undefined && challenge !== undefined) {
      challenge.count++;
      const field = answerChallenge(
        challenge.response,
        request,
        credentials,
        this.#host.newTag(),
        challenge.count,
      );
      if (field !== undefined) h.append(field[0], field[1]);
    }
    return request;
  }

  #register(): void {
    if (!this.#fsm.is('registering')) this.#fsm.transition('registering');
    this.#send(this.#expires, (response) => this.#onRegisterResponse(response));
  }

  #send(expires: number, onFinal: (response: SipResponse) => void): void {
    const request = this.#build(expires);
    this.#host.transactions.sendRequest(request, this.#host.channel(this.#options.destination), {
      onResponse: (response) => {
        if (response.status >= 200) onFinal(response);
      },
      onTimeout: () => this.#fail(408),
      onTransportError: () => this.#host.clock.schedule(0, () => this.#fail(503)),
    });
  }

  #onRegisterResponse(response: SipResponse): void {
    if (!this.#fsm.is('registering')) return;
    const status = response.status;
    if ((status === 401 || status === 407) && this.#options.credentials !== undefined) {
      // A fresh challenge (or stale nonce): answer it, twice at most in a row.
      if (this.#authRounds++ < 2) {
        this.#challenge = { response, count: 0 };
        this.#register();
        return;
      }
    }
    if (status === 423) {
      // §10.2.8: ask again with at least Min-Expires.
      const min = Number(response.headers.get('min-expires'));
      if (Number.isInteger(min) && min > this.#expires) {
        this.#expires = min;
        this.#register();
        return;
      }
    }
    if (status < 200 || status >= 300) {
      this.#fail(status);
      return;
    }
    this.#authRounds = 0;
    const granted = this.#grantedExpires(response);
    this.#fsm.transition('registered');
    this.emit('registered', granted);
    // Refresh at half the granted time, never later than 30 s before it runs out.
    const refreshS = Math.max(1, Math.min(granted / 2, granted - 30));
    this.#timer = this.#host.clock.schedule(refreshS * 1000, () => {
      if (this.#fsm.is('registered')) this.#register();
    });
  }

  /** §10.2.4: our Contact's expires in the 200, else its Expires header, else what we asked. */
  #grantedExpires(response: SipResponse): number {
    const ours = this.#host.contact.replace(/^<|>$/g, '');
    for (const value of response.headers.values('contact')) {
      if (!value.includes(ours)) continue;
      const m = /;\s*expires\s*=\s*(\d+)/i.exec(value);
      if (m !== null) return Number(m[1]);
    }
    const header = Number(response.headers.get('expires'));
    return Number.isInteger(header) && header > 0 ? header : this.#expires;
  }

  #fail(status: number): void {
    if (!this.#fsm.is('registering')) return;
    this.#authRounds = 0;
    this.#challenge = undefined;
    this.#fsm.transition('waiting-retry');
    this.emit('failed', status);
    this.#timer = this.#host.clock.schedule(this.#options.retryMs ?? 30_000, () => {
      if (this.#fsm.is('waiting-retry')) this.#register();
    });
  }

  /** Remove our binding (Expires: 0) and stop refreshing; resolves when answered. */
  stop(): Promise<void> {
    this.#timer?.cancel();
    if (this.#fsm.is('stopped', 'unregistering')) return Promise.resolve();
    const wasBound = this.#fsm.is('registered', 'registering');
    if (!wasBound) {
      this.#fsm.transition('stopped');
      this.emit('stopped');
      return Promise.resolve();
    }
    this.#fsm.transition('unregistering');
    return new Promise((resolve) => {
      const done = (): void => {
        if (this.#fsm.is('stopped')) return;
        this.#fsm.transition('stopped');
        this.emit('stopped');
        resolve();
      };
      let rounds = 0;
      const send = (): void => {
        this.#host.transactions.sendRequest(
          this.#build(0),
          this.#host.channel(this.#options.destination),
          {
            onResponse: (response) => {
              const s = response.status;
              if (s < 200) return;
              if ((s === 401 || s === 407) && rounds++ < 2) {
                this.#challenge = { response, count: 0 };
                send();
                return;
              }
              done();
            },
            onTimeout: done,
            onTransportError: done,
          },
        );
      };
      send();
    });
  }
}
