/** A SipEndpoint's transport over TCP (wraps TcpTransport; RFC 3261 §18, reliable). */
import type { Channel } from '../transaction/transaction-types.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import { TcpTransport, type TcpTransportOptions } from '../transport/tcp-transport.ts';
import type { EndpointReceiver, EndpointTransport } from './endpoint-transport.ts';
import { isSupportedOptionTag } from './option-tags.ts';

export class TcpEndpointTransport implements EndpointTransport {
  readonly protocol = 'TCP';
  readonly reliable = true;
  readonly #tcp: TcpTransport;
  readonly #local: SocketAddress;

  private constructor(tcp: TcpTransport) {
    this.#tcp = tcp;
    this.#local = tcp.local;
  }

  /** Listen and deliver what arrives to `receiver` (usually a SipEndpoint). */
  static async listen(
    options: TcpTransportOptions,
    receiver: EndpointReceiver,
  ): Promise<TcpEndpointTransport> {
    const tcp = await TcpTransport.listen(
      // Require: 100rel / timer are ours to honour (RFC 3262, RFC 4028), not a 420.
      {
        ...options,
        validation: { isExtensionSupported: isSupportedOptionTag, ...options.validation },
      },
      {
        onRequest: (request, source, reply) => receiver.receiveRequest(request, source, reply),
        onResponse: (response, source) => receiver.receiveResponse(response, source),
      },
    );
    return new TcpEndpointTransport(tcp);
  }

  get local(): SocketAddress {
    return this.#local;
  }

  channel(to: SocketAddress): Channel {
    return this.#tcp.channel(to);
  }

  /** Open (or reuse) a connection; rejects when it cannot be made (RFC 3263 §4.3). */
  connect(to: SocketAddress): Promise<void> {
    return this.#tcp.connect(to);
  }

  close(): Promise<void> {
    return this.#tcp.close();
  }
}
