/**
 * A small answering UAS built only on @uketsuke/sip, for interop tests and benchmarks.
 * What it does with a call is chosen by the Request-URI user part:
 *
 *   (anything else)  180 Ringing, then 200 OK with a fixed SDP after `answerDelayMs`
 *   reject-NNN       answer NNN (e.g. reject-486, reject-603)
 *   ring             180 Ringing and nothing more (for CANCEL tests)
 *   hangup-MS        answer, then BYE MS milliseconds after the ACK
 *
 * Re-INVITEs are answered with the mirror direction (sendonly → recvonly, …). Every event
 * is counted and logged so tests can check what happened on our side.
 */
import {
  type IncomingInviteSession,
  isLoopback,
  type SessionEnd,
  SipEndpoint,
  type SocketAddress,
} from '@uketsuke/sip';

export interface AnsweringAppOptions {
  host?: string;
  port?: number;
  /** Delay between 180 and 200 (default 0: answer at once after the 180). */
  answerDelayMs?: number;
  /** Keep a per-event log (off for benchmarks). */
  log?: boolean;
}

export interface AnsweringStats {
  invites: number;
  answered: number;
  confirmed: number;
  rejected: number;
  reinvites: number;
  infos: number;
  ended: Record<string, number>;
}

export function answerSdp(host: string, direction = 'sendrecv'): string {
  return [
    'v=0',
    `o=uketsuke 1 1 IN IP4 ${host}`,
    's=uketsuke',
    `c=IN IP4 ${host}`,
    't=0 0',
    'm=audio 20000 RTP/AVP 0',
    'a=rtpmap:0 PCMU/8000',
    `a=${direction}`,
    '',
  ].join('\r\n');
}

/** RFC 3264 §6.1: the answer's direction mirrors the offer's. */
export function mirrorDirection(offer: string | undefined): string {
  if (offer === undefined) return 'sendrecv';
  if (/^a=sendonly\s*$/m.test(offer)) return 'recvonly';
  if (/^a=recvonly\s*$/m.test(offer)) return 'sendonly';
  if (/^a=inactive\s*$/m.test(offer)) return 'inactive';
  if (/^c=IN IP4 0\.0\.0\.0\s*$/m.test(offer)) return 'recvonly'; // RFC 2543 hold
  return 'sendrecv';
}

export class AnsweringApp {
  readonly endpoint: SipEndpoint;
  readonly stats: AnsweringStats = {
    invites: 0,
    answered: 0,
    confirmed: 0,
    rejected: 0,
    reinvites: 0,
    infos: 0,
    ended: {},
  };
  readonly log: string[] = [];
  readonly #options: AnsweringAppOptions;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  private constructor(endpoint: SipEndpoint, options: AnsweringAppOptions) {
    this.endpoint = endpoint;
    this.#options = options;
    endpoint.on('invite', (s) => this.#onInvite(s));
  }

  static async start(options: AnsweringAppOptions = {}): Promise<AnsweringApp> {
    // UDP and TCP on the same port.
    const endpoint = await SipEndpoint.listen(
      {
        host: options.host ?? '127.0.0.1',
        port: options.port ?? 0,
        // Interop tests talk to peers on this machine only.
        allowDestination: isLoopback,
      },
      { user: 'answer' },
    );
    return new AnsweringApp(endpoint, options);
  }

  get address(): SocketAddress {
    return this.endpoint.local;
  }

  #note(callId: string, what: string): void {
    if (this.#options.log ?? true) this.log.push(`${callId} ${what}`);
  }

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  #onInvite(s: IncomingInviteSession): void {
    this.stats.invites++;
    const id = s.callId;
    const uri = s.request.uri;
    const user = uri.kind === 'sip' ? (uri.user ?? '') : '';
    this.#note(id, `INVITE ${user}`);
    s.on('confirmed', () => {
      this.stats.confirmed++;
      this.#note(id, 'confirmed');
    });
    s.on('reinvite', (offer) => {
      this.stats.reinvites++;
      const direction = mirrorDirection(offer.sdp);
      this.#note(id, `re-INVITE → ${direction}`);
      offer.accept(answerSdp(this.address.address, direction));
    });
    s.on('info', (info) => {
      this.stats.infos++;
      this.#note(id, `INFO ${info.contentType ?? ''} ${JSON.stringify(info.body)}`);
    });
    s.once('ended', (end: SessionEnd) => {
      const key = `${end.reason}/${end.by}`;
      this.stats.ended[key] = (this.stats.ended[key] ?? 0) + 1;
      this.#note(id, `ended ${key}${end.status === undefined ? '' : ` ${end.status}`}`);
    });

    const reject = /^reject-(\d{3})$/.exec(user);
    if (reject !== null) {
      this.stats.rejected++;
      s.reject(Number(reject[1]));
      return;
    }
    s.ring();
    if (user === 'ring') return;
    const answer = () => {
      if (s.state !== 'early') return;
      this.stats.answered++;
      s.accept(answerSdp(this.address.address, mirrorDirection(s.offer)));
    };
    const delay = this.#options.answerDelayMs ?? 0;
    if (delay > 0) this.#later(delay, answer);
    else answer();
    const hangup = /^hangup-(\d+)$/.exec(user);
    if (hangup !== null) {
      s.once('confirmed', () => this.#later(Number(hangup[1]), () => s.bye()));
    }
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await this.endpoint.close();
  }
}
