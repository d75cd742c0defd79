/**
 * RFC 3263 server location: a SIP or SIPS URI → an ordered list of targets
 * (transport, address, port) to try one after another (§4.3).
 *
 *   maddr / host ──┬─ IP literal ─────────────────────────────► that address (§4.2)
 *                  ├─ explicit port ──────────── A/AAAA ──────► that port
 *                  ├─ transport param ─ SRV _sip(s)._proto ──┐
 *                  └─ NAPTR (§4.1) ─── SRV of replacements ──┼─► A/AAAA of each target
 *                        none: SRV for every transport we have ┤
 *                        none: A/AAAA on 5060 (UDP) / 5061 (TLS)┘
 *
 * Transport (§4.1): the URI's `transport` parameter; else UDP for SIP and TLS for SIPS
 * when the host is numeric or a port is given; else what NAPTR/SRV offer. A SIPS URI only
 * ever yields TLS (or WSS) targets. Lookups go through an injectable `DnsLookups` (default
 * node:dns `Resolver`, with `servers` to point it somewhere else).
 */
import { isIP } from 'node:net';
import { SipErrorCode, SipStackError } from '../errors.ts';
import { parseUri } from '../uri/parse-uri.ts';
import type { SipUri } from '../uri/uri-types.ts';
import { type DnsLookups, resolverLookups } from './dns-lookups.ts';
import { orderSrv, type RandomUnit, type SrvRecord } from './srv-order.ts';

/** Via transport tokens the locator may produce. */
export type SipTransportName = 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';

export interface SipTarget {
  transport: SipTransportName;
  address: string;
  port: number;
  /** The host name the target was found under (for TLS certificate checks, RFC 5922). */
  serverName: string;
}

export interface ServerLocatorOptions {
  /** Transports we can use, in our order of preference (default UDP, TCP, TLS). */
  transports?: readonly SipTransportName[];
  /** DNS servers as "ip" or "ip:port" (default: the system's). Ignored with `lookups`. */
  servers?: readonly string[];
  /** Per-query timeout and attempts for the default resolver. */
  timeoutMs?: number;
  tries?: number;
  /** Replace DNS altogether (tests, caches). */
  lookups?: DnsLookups;
  /** Also look up AAAA records (default true); IPv4 addresses come first. */
  ipv6?: boolean;
  random?: RandomUnit;
}

/** NAPTR services (RFC 3263 §4.1, RFC 7118 §9) and SRV prefixes per transport. */
const SERVICES: Record<SipTransportName, { naptr: string; srv: string; secure: boolean }> = {
  UDP: { naptr: 'SIP+D2U', srv: '_sip._udp', secure: false },
  TCP: { naptr: 'SIP+D2T', srv: '_sip._tcp', secure: false },
  TLS: { naptr: 'SIPS+D2T', srv: '_sips._tcp', secure: true },
  WS: { naptr: 'SIP+D2W', srv: '_sip._ws', secure: false },
  WSS: { naptr: 'SIPS+D2W', srv: '_sips._ws', secure: true },
};

const TRANSPORT_PARAM: Record<string, SipTransportName> = {
  udp: 'UDP',
  tcp: 'TCP',
  tls: 'TLS',
  ws: 'WS',
  wss: 'WSS',
};

function defaultPort(transport: SipTransportName): number {
  return SERVICES[transport].secure ? 5061 : 5060;
}

function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export class ServerLocator {
  readonly #lookups: DnsLookups;
  readonly #transports: readonly SipTransportName[];
  readonly #ipv6: boolean;
  readonly #random: RandomUnit | undefined;

  constructor(options: ServerLocatorOptions = {}) {
    this.#lookups =
      options.lookups ??
      resolverLookups({
        servers: options.servers,
        timeoutMs: options.timeoutMs,
        tries: options.tries,
      });
    this.#transports = options.transports ?? ['UDP', 'TCP', 'TLS'];
    this.#ipv6 = options.ipv6 ?? true;
    this.#random = options.random;
  }

  /**
   * The targets for `uri`, best first. Rejects (SIP_INVALID_ARGUMENT) for a URI that is
   * not SIP/SIPS or asks for a transport we lack, and (SIP_TRANSPORT_ERROR) when DNS finds
   * nothing usable.
   */
  async locate(uriText: string | SipUri): Promise<SipTarget[]> {
    const uri = typeof uriText === 'string' ? parseUri(uriText) : uriText;
    if (uri.kind !== 'sip') {
      throw new SipStackError(SipErrorCode.InvalidArgument, `not a SIP URI: ${String(uriText)}`);
    }
    const secure = uri.scheme === 'sips';
    const maddr = uri.params.get('maddr');
    const host = bare(typeof maddr === 'string' ? maddr : uri.host).toLowerCase();
    const numeric = isIP(host) !== 0;
    const explicit = this.#explicitTransport(uri, secure);

    // §4.1: numeric host or explicit port without a transport: UDP for SIP, TLS for SIPS.
    if (numeric || uri.port !== undefined) {
      const transport = explicit ?? (secure ? 'TLS' : 'UDP');
      this.#require(transport);
      const port = uri.port ?? defaultPort(transport);
      const addresses = numeric ? [host] : await this.#addresses(host);
      return this.#found(
        addresses.map((address) => ({ transport, address, port, serverName: host })),
        uriText,
      );
    }
    if (explicit !== undefined) {
      // §4.2: SRV for the named transport, else A/AAAA on its default port.
      this.#require(explicit);
      const viaSrv = await this.#srvTargets(explicit, host);
      if (viaSrv.length > 0) return viaSrv;
      return this.#found(await this.#hostTargets(host, explicit), uriText);
    }
    const usable = this.#transports.filter((t) => !secure || SERVICES[t].secure);
    // §4.1: NAPTR first.
    const naptr = await this.#naptrTargets(host, usable);
    if (naptr !== undefined) return this.#found(naptr, uriText);
    // No NAPTR: SRV for each transport we support, in our preference order.
    const srv: SipTarget[] = [];
    for (const transport of usable) srv.push(...(await this.#srvTargets(transport, host)));
    if (srv.length > 0) return srv;
    // No SRV either: A/AAAA with UDP (SIP) or TLS (SIPS; TCP underneath) on the default port.
    const fallback: SipTransportName = secure ? 'TLS' : 'UDP';
    this.#require(fallback);
    return this.#found(await this.#hostTargets(host, fallback), uriText);
  }

  #explicitTransport(uri: SipUri, secure: boolean): SipTransportName | undefined {
    const param = uri.params.get('transport');
    if (typeof param !== 'string') return undefined;
    const named = TRANSPORT_PARAM[param.toLowerCase()];
    if (named === undefined) {
      throw new SipStackError(SipErrorCode.InvalidArgument, `unknown transport "${param}"`);
    }
    if (!secure) return named;
    // SIPS means TLS over the named stream transport (§4.1); there is none over UDP.
    if (named === 'TCP' || named === 'TLS') return 'TLS';
    if (named === 'WS' || named === 'WSS') return 'WSS';
    throw new SipStackError(SipErrorCode.InvalidArgument, 'a SIPS URI cannot use UDP');
  }

  #require(transport: SipTransportName): void {
    if (!this.#transports.includes(transport)) {
      throw new SipStackError(SipErrorCode.InvalidArgument, `no ${transport} transport`);
    }
  }

  #found(targets: SipTarget[], uri: string | SipUri): SipTarget[] {
    if (targets.length === 0) {
      const text = typeof uri === 'string' ? uri : `${uri.scheme}:${uri.host}`;
      throw new SipStackError(SipErrorCode.TransportError, `DNS found no server for ${text}`);
    }
    return targets;
  }

  /** NAPTR records for our services, or undefined when there are none (§4.1). */
  async #naptrTargets(
    host: string,
    usable: readonly SipTransportName[],
  ): Promise<SipTarget[] | undefined> {
    const records = await this.#lookups.naptr(host);
    const byService = new Map(usable.map((t) => [SERVICES[t].naptr, t]));
    const wanted = records
      .filter((r) => r.flags.toLowerCase() === 's' && byService.has(r.service.toUpperCase()))
      .sort((a, b) => a.order - b.order || a.preference - b.preference);
    if (wanted.length === 0) return undefined;
    const out: SipTarget[] = [];
    for (const record of wanted) {
      const transport = byService.get(record.service.toUpperCase()) as SipTransportName;
      out.push(...(await this.#srvAt(transport, record.replacement, host)));
    }
    return out;
  }

  #srvTargets(transport: SipTransportName, host: string): Promise<SipTarget[]> {
    return this.#srvAt(transport, `${SERVICES[transport].srv}.${host}`, host);
  }

  async #srvAt(transport: SipTransportName, name: string, domain: string): Promise<SipTarget[]> {
    const records: SrvRecord[] = orderSrv(await this.#lookups.srv(name), this.#random);
    const out: SipTarget[] = [];
    for (const record of records) {
      const target = record.name.toLowerCase().replace(/\.$/, '');
      const addresses = isIP(target) !== 0 ? [target] : await this.#addresses(target);
      for (const address of addresses) {
        // The certificate must match the domain of the URI (RFC 5922 §4), not the SRV target.
        out.push({ transport, address, port: record.port, serverName: domain });
      }
    }
    return out;
  }

  async #hostTargets(host: string, transport: SipTransportName): Promise<SipTarget[]> {
    const port = defaultPort(transport);
    return (await this.#addresses(host)).map((address) => ({
      transport,
      address,
      port,
      serverName: host,
    }));
  }

  async #addresses(host: string): Promise<string[]> {
    const v4 = await this.#lookups.a(host);
    const v6 = this.#ipv6 ? await this.#lookups.aaaa(host) : [];
    return [...v4, ...v6];
  }
}
