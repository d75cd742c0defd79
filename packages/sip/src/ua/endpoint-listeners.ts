/**
 * Opening an endpoint's listeners: UDP and TCP on one address and port (RFC 3261 §18: a
 * UA listens on both), plus TLS (§26.2) and WebSocket (RFC 7118) when asked. With port 0
 * the TCP listener takes the port the kernel gave UDP; if that TCP port is taken, a new
 * endpoint picks again (a bounded number of times).
 */
import type { SocketAddress } from '../transport/response-routing.ts';
import type { TcpTransportOptions } from '../transport/tcp-transport.ts';
import type { UdpTransportOptions } from '../transport/udp-transport.ts';
import type { ExtraListeners } from './endpoint-options.ts';
import type { EndpointReceiver, EndpointTransport } from './endpoint-transport.ts';
import { TcpEndpointTransport } from './tcp-endpoint-transport.ts';
import { TlsEndpointTransport } from './tls-endpoint-transport.ts';
import { UdpEndpointTransport } from './udp-endpoint-transport.ts';
import { WebSocketEndpointTransport } from './websocket-endpoint-transport.ts';

export type ListenOptions = UdpTransportOptions &
  Omit<TcpTransportOptions, 'port' | 'host'> &
  ExtraListeners;

/** What listening needs of the endpoint it opens transports for. */
export interface ListeningEndpoint extends EndpointReceiver {
  attach(transport: EndpointTransport): void;
  connectionClosed(peer: SocketAddress): void;
  close(): Promise<void>;
}

/** The TCP twin of a kernel-chosen UDP port was in use. */
class TcpPortTaken extends Error {}

/** A new endpoint from `create` with every listener open; on failure nothing stays open. */
export async function listenAll<E extends ListeningEndpoint>(
  create: () => E,
  transport: ListenOptions,
): Promise<E> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await listenOnce(create(), transport);
    } catch (err) {
      // With port 0 the kernel picks a UDP port whose TCP twin may be taken (often as the
      // local port of someone's outgoing connection): pick again, a bounded number of times.
      if (!(err instanceof TcpPortTaken) || attempt >= 20) throw err;
    }
  }
}

async function listenOnce<E extends ListeningEndpoint>(
  endpoint: E,
  transport: ListenOptions,
): Promise<E> {
  const udp = await UdpEndpointTransport.open(transport, endpoint);
  endpoint.attach(udp);
  try {
    const tcp = await TcpEndpointTransport.listen(
      { ...transport, port: udp.local.port },
      endpoint,
    ).catch((err: NodeJS.ErrnoException) => {
      throw transport.port === 0 && err.code === 'EADDRINUSE' ? new TcpPortTaken() : err;
    });
    endpoint.attach(tcp);
    const { tls, websocket } = transport;
    if (tls !== undefined) {
      const host = tls.host ?? transport.host;
      endpoint.attach(await TlsEndpointTransport.listen({ ...tls, host }, endpoint));
    }
    if (websocket !== undefined) {
      const host = websocket.host ?? transport.host;
      const onClose = (peer: SocketAddress) => endpoint.connectionClosed(peer);
      endpoint.attach(
        await WebSocketEndpointTransport.listen({ ...websocket, host }, endpoint, { onClose }),
      );
    }
  } catch (err) {
    await endpoint.close();
    throw err;
  }
  return endpoint;
}
