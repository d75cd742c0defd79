/**
 * ICE-lite, our side of it (RFC 8445 §2.5): we have one known host address, gather
 * nothing, send no checks, and are always the controlled agent. We answer the
 * browser's connectivity checks (STUN Binding, §7.3) and take the pair it nominates
 * (USE-CANDIDATE, §7.3.1.5 / §8.2) as where media and DTLS go. Later checks (consent
 * freshness, RFC 7675) are answered the same way and reported as `accepted`: the
 * transport takes them, on the selected pair, as the browser still being there.
 *
 * A check must carry USERNAME "<our ufrag>:<their ufrag>", a MESSAGE-INTEGRITY made
 * with our password and a valid FINGERPRINT; otherwise it gets 400 (malformed) or 401
 * (bad credentials) per RFC 5389 §10.1.2, and its source learns nothing else.
 */
import { randomInt } from 'node:crypto';
import {
  fingerprintValid,
  integrityValid,
  parseStun,
  StunAttr,
  StunResponseBuilder,
  StunType,
} from './stun-message.ts';

export interface IceCandidateAddress {
  address: string;
  port: number;
}

/**
 * Random ice-chars (RFC 8839 §5.4 allows ALPHA / DIGIT / "+" / "/"). Letters and digits
 * only: werift refused checks (our 401) when "+" or "/" appeared in the credentials.
 * 24 of 62 symbols is 142 bits, above the 128 the RFC asks of the password.
 */
function iceString(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

export interface IceCheckResult {
  /** The datagram to send back to the check's source (success or error response). */
  response: Buffer | undefined;
  /** The check nominated this pair (first time or a change). */
  nominated: boolean;
  /**
   * The check passed (credentials, integrity) and was answered with success: the
   * browser is alive and still consents to receive on this pair (RFC 7675 §5.1).
   */
  accepted: boolean;
}

export class IceLiteAgent {
  /** RFC 8839 §5.4: ufrag ≥ 4 characters, password ≥ 22. */
  readonly localUfrag = iceString(8);
  readonly localPassword = iceString(24);
  private remoteUfrag: string | undefined;
  /** Sources that passed a check: the only ones DTLS and SRTP are accepted from. */
  private readonly valid = new Set<string>();
  selected: IceCandidateAddress | undefined;
  checksAnswered = 0;
  checksRefused = 0;
  /** Why the last check was refused (for stats and logs). */
  lastRefusal: string | undefined;

  /** The browser's ice-ufrag from its SDP (checked in USERNAME's second half). */
  setRemoteCredentials(ufrag: string): void {
    this.remoteUfrag = ufrag;
  }

  isValidSource(address: string, port: number): boolean {
    // Hot path (every media packet): the selected pair first, without building a key.
    const s = this.selected;
    if (s !== undefined && s.port === port && s.address === address) return true;
    return this.valid.has(`${address}|${port}`);
  }

  /** Handle a STUN datagram from `address:port`. */
  handle(datagram: Buffer, address: string, port: number): IceCheckResult {
    const none = { response: undefined, nominated: false, accepted: false };
    const m = parseStun(datagram);
    if (m === undefined) return none;
    if (m.type !== StunType.bindingRequest) return none; // indications, stray responses
    if (!fingerprintValid(m)) return none; // RFC 8445 §7.3: not STUN for ICE; drop
    const username = m.attributes.get(StunAttr.username)?.toString('utf8');
    if (username === undefined || m.integrityOffset === undefined) {
      this.checksRefused++;
      return {
        response: this.error(m.transactionId, 400, 'Bad Request'),
        nominated: false,
        accepted: false,
      };
    }
    const [ours, theirs] = username.split(':');
    const remoteOk = this.remoteUfrag === undefined || theirs === this.remoteUfrag;
    const refusal =
      ours !== this.localUfrag
        ? 'username (ours)'
        : !remoteOk
          ? 'username (theirs)'
          : !integrityValid(m, this.localPassword)
            ? 'message-integrity'
            : undefined;
    if (refusal !== undefined) {
      this.checksRefused++;
      this.lastRefusal = refusal;
      return {
        response: this.error(m.transactionId, 401, 'Unauthorized'),
        nominated: false,
        accepted: false,
      };
    }
    this.checksAnswered++;
    this.valid.add(`${address}|${port}`);
    let nominated = false;
    const s = this.selected;
    // Lite agents select the nominated pair (§8.2); also take the first valid pair
    // provisionally so a DTLS ClientHello that overtakes the nomination is answered.
    if (m.attributes.has(StunAttr.useCandidate) || s === undefined) {
      if (s === undefined || s.address !== address || s.port !== port) {
        this.selected = { address, port };
        nominated = m.attributes.has(StunAttr.useCandidate);
      }
    }
    const response = new StunResponseBuilder(StunType.bindingSuccess, m.transactionId)
      .xorMappedAddress(address, port)
      .build(this.localPassword);
    return { response, nominated, accepted: true };
  }

  private error(transactionId: Buffer, code: number, reason: string): Buffer {
    return new StunResponseBuilder(StunType.bindingError, transactionId)
      .errorCode(code, reason)
      .build(undefined);
  }
}
