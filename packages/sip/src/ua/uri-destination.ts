/**
 * Where to send a request addressed to a URI, for the cases that need no DNS: a SIP/SIPS
 * URI whose host (or `maddr`) is an IP literal (RFC 3261 §8.1.2, RFC 3263 §4.2 with a
 * numeric host: port from the URI, else 5060 / 5061). Host names would need RFC 3263
 * resolution, which the stack does not do yet: callers fall back to a known address.
 */
import { isIP } from 'node:net';
import { parseNameAddr } from '../headers/name-addr.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import { formatUri } from '../uri/format-uri.ts';
import { parseUri } from '../uri/parse-uri.ts';

export function uriDestination(uriText: string): SocketAddress | undefined {
  let uri: ReturnType<typeof parseUri>;
  try {
    uri = parseUri(uriText);
  } catch {
    return undefined;
  }
  if (uri.kind !== 'sip') return undefined;
  const maddr = uri.params.get('maddr');
  const raw = typeof maddr === 'string' ? maddr : uri.host;
  const host = raw.startsWith('[') ? raw.slice(1, -1) : raw;
  if (isIP(host) === 0) return undefined;
  return { address: host, port: uri.port ?? (uri.scheme === 'sips' ? 5061 : 5060) };
}

/**
 * The next hop of an in-dialog request (§12.2.1.1, §8.1.2): the first Route when there is
 * a route set, else the remote target.
 */
export function nextHop(
  routeSet: readonly string[],
  remoteTarget: string,
): SocketAddress | undefined {
  const first = routeSet[0];
  if (first === undefined) return uriDestination(remoteTarget);
  try {
    const route = parseNameAddr(first, 'Route');
    return uriDestination(formatUri(route.uri));
  } catch {
    return undefined;
  }
}
