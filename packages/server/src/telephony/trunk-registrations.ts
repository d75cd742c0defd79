/**
 * Registration to carriers (issue 5: "optional registration to the carrier with digest
 * auth"). Every enabled trunk with registration settings keeps our Contact bound at its
 * registrar (RFC 3261 §10.2, via the stack's RegistrationClient: refresh before expiry,
 * 401/407 digest, retry after failures). The trunk table is re-read periodically, so a trunk
 * added, changed, disabled or deleted through the API is followed without a restart (and
 * every node of a cluster converges on the same set); stopping unregisters (Expires: 0).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { RegistrationClient, SipEndpoint } from '@uketsuke/sip';
import type { Logger } from 'pino';
import type { Trunk, TrunkRegistration } from '../repositories/trunk-repository.ts';

export interface TrunkRegistrationStatus {
  trunkId: string;
  trunkName: string;
  registrar: string;
  state: 'registering' | 'registered' | 'failed';
  /** The last final status from the registrar (200, 403, 408 for no answer …). */
  lastStatus: number | null;
  /** When the current binding runs out (registered only). */
  expiresAt: string | null;
}

interface Entry {
  key: string;
  client: RegistrationClient;
  status: TrunkRegistrationStatus;
}

/** `sip:host[:port][;params]` → host and port (5060, or 5061 for sips). */
export function registrarAddress(uri: string): { host: string; port: number } {
  const m = /^(sips?):(?:[^@]*@)?(\[[^\]]+\]|[^:;?]+)(?::(\d+))?/.exec(uri);
  if (!m) throw new Error(`'${uri}' is not a SIP URI`);
  const host = (m[2] ?? '').replace(/^\[|\]$/g, '');
  return { host, port: m[3] ? Number(m[3]) : m[1] === 'sips' ? 5061 : 5060 };
}

export class TrunkRegistrations {
  readonly #endpoint: SipEndpoint;
  readonly #loadTrunks: () => Promise<Trunk[]>;
  readonly #log: Logger | undefined;
  readonly #now: () => Date;
  readonly #entries = new Map<string, Entry>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #reconciling: Promise<void> = Promise.resolve();

  constructor(opts: {
    endpoint: SipEndpoint;
    loadTrunks: () => Promise<Trunk[]>;
    log?: Logger;
    now?: () => Date;
  }) {
    this.#endpoint = opts.endpoint;
    this.#loadTrunks = opts.loadTrunks;
    this.#log = opts.log;
    this.#now = opts.now ?? (() => new Date());
  }

  /** Register every trunk that asks for it now, then follow changes every `everyMs`. */
  async start(everyMs = 10_000): Promise<void> {
    await this.reconcile();
    this.#timer = setInterval(() => void this.reconcile(), everyMs);
    this.#timer.unref();
  }

  statuses(): TrunkRegistrationStatus[] {
    return [...this.#entries.values()].map((e) => ({ ...e.status }));
  }

  /** Bring the running registrations in line with the trunk table (serialised). */
  reconcile(): Promise<void> {
    this.#reconciling = this.#reconciling
      .then(() => this.#reconcile())
      .catch((err) => {
        this.#log?.error({ err: (err as Error).message }, 'trunk registrations: reconcile failed');
      });
    return this.#reconciling;
  }

  async #reconcile(): Promise<void> {
    if (this.#closed) return;
    const wanted = new Map<string, Trunk & { registration: TrunkRegistration }>();
    for (const t of await this.#loadTrunks()) {
      if (t.enabled && t.registration) wanted.set(t.id, { ...t, registration: t.registration });
    }
    for (const [id, e] of this.#entries) {
      const t = wanted.get(id);
      if (!t || keyOf(t.registration) !== e.key) {
        this.#entries.delete(id);
        this.#log?.info({ trunk: e.status.trunkName }, 'trunk registration: removing binding');
        await e.client.stop().catch(() => {});
      }
    }
    for (const t of wanted.values()) {
      if (this.#closed || this.#entries.has(t.id)) continue;
      await this.#begin(t).catch((err: Error) => {
        this.#log?.error(
          { trunk: t.name, registrar: t.registration.registrar, err: err.message },
          'trunk registration: cannot start',
        );
      });
    }
  }

  async #begin(t: Trunk & { registration: TrunkRegistration }): Promise<void> {
    const r = t.registration;
    const { host, port } = registrarAddress(r.registrar);
    const address = isIP(host) ? host : (await lookup(host)).address;
    const client = this.#endpoint.register({
      registrar: r.registrar,
      destination: { address, port },
      aor: `sip:${r.username}@${host.includes(':') ? `[${host}]` : host}`,
      expires: r.expiresSec,
      credentials: { username: r.username, password: r.password },
    });
    const status: TrunkRegistrationStatus = {
      trunkId: t.id,
      trunkName: t.name,
      registrar: r.registrar,
      state: 'registering',
      lastStatus: null,
      expiresAt: null,
    };
    client.on('registered', (expires) => {
      status.state = 'registered';
      status.lastStatus = 200;
      status.expiresAt = new Date(this.#now().getTime() + expires * 1000).toISOString();
      this.#log?.info({ trunk: t.name, expires }, 'trunk registered');
    });
    client.on('failed', (code) => {
      status.state = 'failed';
      status.lastStatus = code;
      status.expiresAt = null;
      this.#log?.warn({ trunk: t.name, status: code }, 'trunk registration failed; will retry');
    });
    this.#entries.set(t.id, { key: keyOf(r), client, status });
  }

  /** Unregister everything (Expires: 0) and stop following the table. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#reconciling;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    // Unregister, but never hold shutdown hostage to a registrar that does not answer.
    await Promise.race([
      Promise.all(entries.map((e) => e.client.stop().catch(() => {}))),
      new Promise((r) => setTimeout(r, 3000).unref()),
    ]);
  }
}

const keyOf = (r: TrunkRegistration) =>
  JSON.stringify([r.registrar, r.username, r.password, r.expiresSec]);
