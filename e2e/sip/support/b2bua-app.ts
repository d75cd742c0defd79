/**
 * A small PBX built only on @uketsuke/sip for softphone interop: a registrar with Digest
 * authentication (REGISTER 401, INVITE 407), and every INVITE routed to the callee's
 * registered Contact through the B2BUA helper (leg A: caller ↔ us, leg B: us ↔ callee).
 * The Request-URI user part names the callee ("sip:bob@127.0.0.1:15100" → AOR
 * sip:bob@127.0.0.1). SDP passes through unchanged (no media anchoring yet). Every call's
 * dialog states are recorded on both legs so tests can check them.
 */
import {
  B2bua,
  type B2buaCall,
  type B2buaEnd,
  DigestAuthenticator,
  isLoopback,
  parseUri,
  Registrar,
  SipEndpoint,
  type SessionState,
  systemClock,
} from '@uketsuke/sip';

export interface B2buaAppOptions {
  host?: string;
  /** 0 for an ephemeral port (default). */
  port?: number;
  /** user → password. */
  users: Record<string, string>;
  realm?: string;
  /**
   * Digest algorithms offered (default SHA-256 and MD5). baresip 1.0 (libre) gives up
   * with "Function not implemented" when any challenge in the 401 is SHA-256, so its
   * tests offer MD5 only.
   */
  algorithms?: ReadonlyArray<'SHA-256' | 'MD5'>;
  /** Relay 1xx to callers that support 100rel reliably (RFC 3262). */
  reliableProvisionals?: boolean;
}

export interface CallRecord {
  from: string;
  to: string;
  /** Dialog states of (leg A, leg B) each time something happened. */
  states: Array<{ event: string; a: SessionState; b: SessionState | undefined }>;
  end?: B2buaEnd;
  call: B2buaCall;
  /** PRACKs the caller sent for our reliable 1xx on leg A (RFC 3262). */
  pracksFromA: number;
  /** Reliable 1xx (Require: 100rel) the callee sent on leg B. */
  reliableFromB: number;
  /** Our PRACKs on leg B that the callee answered 2xx. */
  prackedOnB: number;
  /** Leg B's provisional responses as "180 Require=100rel RSeq=1" (diagnostics). */
  provisionalsFromB: string[];
}

export class B2buaApp {
  readonly endpoint: SipEndpoint;
  readonly registrar: Registrar;
  readonly b2bua: B2bua;
  readonly host: string;
  readonly calls: CallRecord[] = [];
  readonly log: string[] = [];

  private constructor(
    endpoint: SipEndpoint,
    registrar: Registrar,
    host: string,
    reliableProvisionals: boolean,
  ) {
    this.endpoint = endpoint;
    this.registrar = registrar;
    this.host = host;
    this.b2bua = new B2bua(endpoint, {
      reliableProvisionals,
      route: (a) => {
        const uri = parseUri(a.request.uriText);
        const user = uri.kind === 'sip' ? uri.user : undefined;
        if (user === undefined) return { status: 404 };
        const aor = `sip:${user}@${host}`;
        const binding = this.registrar.lookup(aor)[0];
        if (binding === undefined) return { status: 480, reason: 'Not Registered' };
        this.log.push(`route ${aor} -> ${binding.contact}`);
        return { uri: binding.contact, to: `<${aor}>` };
      },
    });
    this.b2bua.on('call', (call) => this.#record(call));
    // Pager-mode MESSAGE (RFC 3428) to a registered user is forwarded to its Contact.
    endpoint.on('message', (m) => {
      const uri = parseUri(m.request.uriText);
      const user = uri.kind === 'sip' ? uri.user : undefined;
      const contact = user === undefined ? undefined : this.contactOf(user);
      if (contact === undefined) {
        m.reject(480);
        return;
      }
      const from = m.request.headers.get('from')?.replace(/;\s*tag=[^;]*/i, '');
      const sent = this.endpoint.message({
        uri: contact,
        from,
        to: `<sip:${user}@${host}>`,
        contentType: m.request.headers.get('content-type') ?? 'text/plain',
        body: m.body,
      });
      void sent.then((r) =>
        this.messages.push({ from: from ?? '', to: user ?? '', body: m.body, status: r.status }),
      );
    });
  }

  /** Screening outcome of each incoming MESSAGE: 407 challenged, 200 admitted. */
  messageScreening: number[] = [];

  /** MESSAGEs forwarded, with the callee's final status. */
  readonly messages: Array<{ from: string; to: string; body: string; status: number }> = [];

  static async start(options: B2buaAppOptions): Promise<B2buaApp> {
    const host = options.host ?? '127.0.0.1';
    const authenticator = new DigestAuthenticator({
      realm: options.realm ?? 'uketsuke.test',
      clock: systemClock,
      algorithms: options.algorithms ?? ['SHA-256', 'MD5'],
      lookup: (user) => {
        const password = options.users[user];
        return password === undefined ? undefined : { password };
      },
    });
    const registrar = new Registrar({ clock: systemClock, authenticator, minExpires: 30 });
    const screenMessage = authenticator.screenRequests(() => false, 'proxy');
    const messageScreening: number[] = [];
    const endpoint = await SipEndpoint.listen(
      { host, port: options.port ?? 0, allowDestination: isLoopback },
      {
        user: 'pbx',
        onRequest: registrar.handles,
        // §22.3: callers must authenticate their INVITEs too (407).
        screenInvite: authenticator.screenInvites(() => false),
        // Pager MESSAGEs are relayed like calls, so they authenticate the same way.
        screenMessage: async (request, source) => {
          const refusal = await screenMessage(request, source);
          messageScreening.push(refusal?.status ?? 200);
          return refusal;
        },
      },
    );
    const app = new B2buaApp(endpoint, registrar, host, options.reliableProvisionals === true);
    app.messageScreening = messageScreening;
    return app;
  }

  get port(): number {
    return this.endpoint.local.port;
  }

  /** The Contact registered for `user`, if any. */
  contactOf(user: string): string | undefined {
    return this.registrar.lookup(`sip:${user}@${this.host}`)[0]?.contact;
  }

  #record(call: B2buaCall): void {
    const rec: CallRecord = {
      from: call.a.request.headers.get('from') ?? '',
      to: call.a.request.uriText,
      states: [],
      call,
      pracksFromA: 0,
      reliableFromB: 0,
      prackedOnB: 0,
      provisionalsFromB: [],
    };
    call.a.on('prack', () => rec.pracksFromA++);
    this.calls.push(rec);
    const snap = (event: string) => {
      rec.states.push({ event, a: call.a.state, b: call.b?.state });
      this.log.push(
        `call ${this.calls.indexOf(rec)} ${event}: A ${call.a.state} B ${call.b?.state}`,
      );
    };
    call.on('routed', (b) => {
      snap('routed');
      b.on('ringing', () => snap('ringing'));
      b.on('pracked', (r) => {
        if (r.status < 300) rec.prackedOnB++;
      });
      b.on('progress', (r) => {
        rec.provisionalsFromB.push(
          `${r.status} Require=${r.headers.get('require')} RSeq=${r.headers.get('rseq')}`,
        );
        if (/\b100rel\b/i.test(r.headers.get('require') ?? '')) rec.reliableFromB++;
      });
      b.on('confirmed', () => snap('b-confirmed'));
      b.once('ended', (e) => snap(`b-ended ${e.reason}/${e.by}`));
    });
    call.a.on('confirmed', () => snap('a-confirmed'));
    call.a.once('ended', (e) => snap(`a-ended ${e.reason}/${e.by}`));
    call.on('connected', () => snap('connected'));
    call.once('ended', (end) => {
      rec.end = end;
      snap(`ended by ${end.by}`);
    });
  }

  async close(): Promise<void> {
    this.b2bua.close();
    await this.endpoint.close();
  }
}
