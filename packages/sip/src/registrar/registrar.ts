/**
 * A registrar (RFC 3261 §10.3): authenticates REGISTER with Digest (401), checks that the
 * authenticated user may register the address-of-record (403), then adds, refreshes and
 * removes bindings — several contacts per request, per-contact `expires` or the Expires
 * header, `Contact: *` with Expires 0 to remove all, 423 below Min-Expires, and Call-ID /
 * CSeq ordering — and answers 200 with every current binding. Plug it into a SipEndpoint
 * through its onRequest hook (see `handles`).
 */
import type { Clock } from '../clock/clock.ts';
import { SipErrorCode, SipStackError } from '../errors.ts';
import type { NameAddr } from '../headers/name-addr.ts';
import { createResponse } from '../message/create-response.ts';
import type { SipRequest } from '../message/sip-message.ts';
import { createTag, cryptoRandomHex, type RandomHex } from '../transaction/identifiers.ts';
import type { NonInviteServerTransaction } from '../transaction/non-invite-server-transaction.ts';
import { formatUri } from '../uri/format-uri.ts';
import { parseUri } from '../uri/parse-uri.ts';
import { uriEquals } from '../uri/uri-equals.ts';
import type { Uri } from '../uri/uri-types.ts';
import { type Binding, type BindingStore, MemoryBindingStore } from './binding-store.ts';
import type { DigestAuthenticator } from './digest-authenticator.ts';

export interface RegistrarOptions {
  clock: Clock;
  /** Without one, every REGISTER is accepted (tests, trusted networks). */
  authenticator?: DigestAuthenticator;
  store?: BindingStore;
  /** Seconds; shorter non-zero requests get 423 (§10.3 step 7). Default 60. */
  minExpires?: number;
  /** Seconds; longer requests are shortened. Default 3600. */
  maxExpires?: number;
  /** Seconds when neither the contact nor the request says. Default 3600. */
  defaultExpires?: number;
  /** May `username` register `aor`? Default: the AOR's user part equals the username. */
  mayRegister?: (username: string, aor: string) => boolean;
  random?: RandomHex;
}

/** §10.3 step 5: the AOR is the To URI in canonical form (scheme, user, host; no params). */
export function addressOfRecord(uri: Uri): string {
  if (uri.kind !== 'sip') return formatUri(uri);
  const user = uri.user === undefined ? '' : `${uri.user}@`;
  return `${uri.scheme}:${user}${uri.host.toLowerCase()}`;
}

function userOf(aor: string): string | undefined {
  const m = /^sips?:([^@]*)@/.exec(aor);
  return m?.[1];
}

interface Answer {
  status: number;
  reason?: string;
  headers: Array<[string, string]>;
}

export class Registrar {
  readonly store: BindingStore;
  readonly #options: RegistrarOptions;
  readonly #clock: Clock;
  readonly #random: RandomHex;

  constructor(options: RegistrarOptions) {
    this.#options = options;
    this.#clock = options.clock;
    this.store = options.store ?? new MemoryBindingStore();
    this.#random = options.random ?? cryptoRandomHex;
  }

  /** For SipEndpoint's onRequest hook: answers REGISTER, returns false for anything else. */
  handles = (request: SipRequest, tx: NonInviteServerTransaction): boolean => {
    if (request.method !== 'REGISTER') return false;
    void this.handle(request, tx);
    return true;
  };

  /** Live contacts of an AOR, best q first (for routing calls to registered phones). */
  lookup(aor: string): Binding[] {
    return [...this.store.get(aor, this.#clock.now())].sort((a, b) => (b.q ?? 0) - (a.q ?? 0));
  }

  /** Process a REGISTER and respond through its transaction. */
  async handle(request: SipRequest, tx: NonInviteServerTransaction): Promise<void> {
    if (request.method !== 'REGISTER') {
      throw new SipStackError(SipErrorCode.InvalidArgument, 'registrar handles REGISTER only');
    }
    const answer = await this.#process(request);
    if (tx.state === 'terminated' || tx.state === 'completed') return;
    tx.respond(
      createResponse(request, answer.status, {
        reason: answer.reason,
        headers: answer.headers,
        toTag: createTag(this.#random),
      }),
    );
  }

  async #process(request: SipRequest): Promise<Answer> {
    const aor = addressOfRecord(request.to.uri);
    const auth = this.#options.authenticator;
    if (auth !== undefined) {
      const result = await auth.authenticate(request, 'www');
      if (!result.ok) return { status: result.status, headers: result.headers };
      const may = this.#options.mayRegister ?? ((u, a) => userOf(a) === u);
      if (!may(result.username, aor)) return { status: 403, headers: [] };
    }
    const now = this.#clock.now();
    const headerExpires = request.headers.get('expires');
    const requestExpires =
      headerExpires !== undefined && /^\s*\d+\s*$/.test(headerExpires)
        ? Number(headerExpires)
        : undefined;
    const contacts = request.contacts;
    const callId = request.callId;
    const cseq = request.cseq.seq;
    let bindings = this.store.get(aor, now);

    if (contacts.star) {
      // §10.3 step 6: "*" only with Expires: 0, alone.
      if (requestExpires !== 0) return { status: 400, reason: 'Bad Contact Header', headers: [] };
      if (bindings.some((b) => b.callId === callId && b.cseq >= cseq)) {
        return { status: 500, reason: 'Out of Order REGISTER', headers: [] };
      }
      this.store.set(aor, []);
      return { status: 200, headers: [] };
    }

    const min = this.#options.minExpires ?? 60;
    const max = this.#options.maxExpires ?? 3600;
    const fallback = requestExpires ?? this.#options.defaultExpires ?? 3600;
    const updates: Array<{ contact: NameAddr; raw: string; expires: number }> = [];
    const rawValues = request.headers.values('contact');
    for (const [i, contact] of contacts.contacts.entries()) {
      const param = contact.params.get('expires');
      const expires = typeof param === 'string' && /^\d+$/.test(param) ? Number(param) : fallback;
      if (expires > 0 && expires < min) {
        // §10.3 step 7 / §20.23: too brief.
        return { status: 423, headers: [['Min-Expires', String(min)]] };
      }
      updates.push({
        contact,
        raw: rawValues[i] ?? formatUri(contact.uri),
        expires: Math.min(expires, max),
      });
    }
    for (const u of updates) {
      const existing = bindings.find((b) => uriEquals(parseUri(b.contact), u.contact.uri));
      if (existing !== undefined && existing.callId === callId && existing.cseq >= cseq) {
        // §10.3 step 7: same Call-ID and a CSeq not higher: the update is aborted.
        return { status: 500, reason: 'Out of Order REGISTER', headers: [] };
      }
      bindings = bindings.filter((b) => b !== existing);
      if (u.expires === 0) continue;
      const q = u.contact.params.get('q');
      const binding: Binding = {
        contact: formatUri(u.contact.uri),
        expiresAt: now + u.expires * 1000,
        callId,
        cseq,
        raw: u.raw.replace(/;\s*expires\s*=\s*\d+/i, ''),
      };
      if (typeof q === 'string' && /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(q)) binding.q = Number(q);
      bindings.push(binding);
    }
    this.store.set(aor, bindings);
    // §10.3 step 8: the 200 lists every current binding with its remaining time.
    const headers: Array<[string, string]> = bindings.map((b) => [
      'Contact',
      `${b.raw};expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`,
    ]);
    return { status: 200, headers };
  }
}
