/** A SipEndpoint's transport over a real UDP socket (wraps UdpTransport). */
import type { Channel } from '../transaction/transaction-types.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import { UdpTransport, type UdpTransportOptions } from '../transport/udp-transport.ts';
import type { EndpointReceiver, EndpointTransport } from './endpoint-transport.ts';
import { isSupportedOptionTag } from './option-tags.ts';

export class UdpEndpointTransport implements EndpointTransport {
  readonly protocol = 'UDP';
  readonly reliable = false;
  readonly #udp: UdpTransport;
  readonly #local: SocketAddress;

  private constructor(udp: UdpTransport) {
    this.#udp = udp;
    // Fixed once bound; Socket.address() is a system call.
    this.#local = udp.local;
  }

  /** Bind a socket and deliver what it receives to `receiver` (usually a SipEndpoint). */
  static async open(
    options: UdpTransportOptions,
    receiver: EndpointReceiver,
  ): Promise<UdpEndpointTransport> {
    const udp = await UdpTransport.open(
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
    return new UdpEndpointTransport(udp);
  }

  get local(): SocketAddress {
    return this.#local;
  }

  channel(to: SocketAddress): Channel {
    return this.#udp.channel(to);
  }

  close(): Promise<void> {
    return this.#udp.close();
  }
}
