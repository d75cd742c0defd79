import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string,
  family: number,
) => void;

/**
 * dgram resolves every destination through `lookup`, and the default one answers even an
 * IP literal on the next tick (dns.lookup), so each RTP packet cost a deferred call and
 * kept its buffer busy until then. Media destinations are IP literals (from SDP or the
 * latched source): answer them synchronously, so `send` reaches the kernel at once.
 * Host names still go through dns.lookup.
 */
function literalFirstLookup(
  hostname: string,
  options: number | LookupOneOptions,
  callback: LookupCallback,
): void {
  const family = isIP(hostname);
  if (family !== 0) {
    callback(null, hostname, family);
    return;
  }
  const opts: LookupOneOptions = typeof options === 'number' ? { family: options } : options;
  dnsLookup(hostname, opts, callback);
}

/** Sockets from {@link bindUdpSocket}: sends to IP literals complete synchronously. */
const syncLookupSockets = new WeakSet<Socket>();

/** True when `send` to an IP literal on this socket reaches the kernel synchronously. */
export function sendsSynchronously(socket: Socket): boolean {
  return syncLookupSockets.has(socket);
}

/** Bind a UDP socket (udp4/udp6 by the address family); closes it again if binding fails. */
export function bindUdpSocket(address: string, port: number): Promise<Socket> {
  const socket = createSocket({
    type: isIPv6(address) ? 'udp6' : 'udp4',
    reuseAddr: false,
    lookup: literalFirstLookup as never,
  });
  syncLookupSockets.add(socket);
  return new Promise((resolve, reject) => {
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind(port, address, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}
