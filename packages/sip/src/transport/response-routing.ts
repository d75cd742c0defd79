/**
 * Server transport Via handling: stamping `received` / `rport` on incoming requests
 * (RFC 3261 §18.2.1, RFC 3581 §4) and choosing where responses go (RFC 3261 §18.2.2,
 * RFC 3581 §4).
 */
import { isIP } from 'node:net';
import { formatVia, type Via, viaRport } from '../headers/via.ts';
import type { SipRequest } from '../message/sip-message.ts';

export interface SocketAddress {
  address: string;
  port: number;
}

function bareHost(host: string): string {
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

/**
 * §18.2.1: add `received` when sent-by differs from the packet's source address; RFC 3581:
 * fill an empty `rport` with the source port (and then always add `received`).
 */
export function stampVia(request: SipRequest, source: SocketAddress): void {
  const via = request.topVia;
  if (via === undefined) return;
  const rport = viaRport(via);
  let changed = false;
  if (bareHost(via.host).toLowerCase() !== source.address.toLowerCase() || rport === null) {
    via.params.set('received', source.address);
    changed = true;
  }
  if (rport === null) {
    via.params.set('rport', String(source.port));
    changed = true;
  }
  if (changed) request.headers.replaceFirstValue('Via', formatVia(via));
}

function defaultPort(via: Via): number {
  return via.transport === 'TLS' ? 5061 : 5060;
}

/**
 * §18.2.2 for unreliable transports (maddr/multicast responses are not supported): send to
 * `received` (or sent-by when it is an IP literal) at `rport`, else the sent-by port.
 * Undefined when sent-by is a host name that would need RFC 3263 resolution.
 */
export function responseDestination(via: Via): SocketAddress | undefined {
  const received = via.params.get('received') ?? undefined;
  const host = received ?? bareHost(via.host);
  if (isIP(host) === 0) return undefined;
  const rport = viaRport(via);
  const port = typeof rport === 'number' ? rport : (via.port ?? defaultPort(via));
  return { address: host, port };
}
