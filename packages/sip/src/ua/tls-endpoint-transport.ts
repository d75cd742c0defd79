/** A SipEndpoint's transport over TLS (wraps TlsTransport; RFC 3261 §26.2, reliable). */
import type { Channel } from '../transaction/transaction-types.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import {
  type TlsDestination,
  TlsTransport,
  type TlsTransportOptions,
} from '../transport/tls-transport.ts';
import type { EndpointReceiver, EndpointTransport } from './endpoint-transport.ts';
import { isSupportedOptionTag } from './option-tags.ts';

export class TlsEndpointTransport implements EndpointTransport {
  readonly protocol = 'TLS';
  readonly reliable = true;
  readonly #tls: TlsTransport;
  readonly #local: SocketAddress;

  private constructor(tls: TlsTransport) {
    this.#tls = tls;
    this.#local = tls.local;
  }

  /** Listen and deliver what arrives to `receiver` (usually a SipEndpoint). */
  static async listen(
    options: TlsTransportOptions,
    receiver: EndpointReceiver,
  ): Promise<TlsEndpointTransport> {
    // Require: 100rel / timer are ours to honour (RFC 3262, RFC 4028), not a 420.
    const validation = { isExtensionSupported: isSupportedOptionTag, ...options.validation };
    const tls = await TlsTransport.listen(
      { ...options, validation },
      {
        onRequest: (request, source, reply) => receiver.receiveRequest(request, source, reply),
        onResponse: (response, source) => receiver.receiveResponse(response, source),
      },
    );
    return new TlsEndpointTransport(tls);
  }

  get local(): SocketAddress {
    return this.#local;
  }

  get connectionCount(): number {
    return this.#tls.connectionCount;
  }

  /** `to.serverName` names the certificate the peer must present (RFC 5922 §7.2). */
  channel(to: TlsDestination): Channel {
    return this.#tls.channel(to);
  }

  /** Open (or reuse) a connection and finish the handshake; rejects on failure. */
  connect(to: TlsDestination): Promise<void> {
    return this.#tls.connect(to);
  }

  close(): Promise<void> {
    return this.#tls.close();
  }
}
