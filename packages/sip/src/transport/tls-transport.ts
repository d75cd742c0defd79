/**
 * SIP over TLS (RFC 3261 §26.2, §18): the TCP stream transport over node:tls. Framing,
 * connection reuse per peer, Via `received`/`rport` (RFC 3581) and response routing are
 * those of TCP; a connection counts as established once the handshake is done.
 *
 * The client verifies the server's certificate against `ca` (or the system store) for the
 * host name of the URI it is reaching (RFC 5922 §7.2): pass it as `serverName` on the
 * destination; without one the IP address is checked. Mutual TLS (§26.3.2.1) is
 * available through `requestCert` / `cert` on both sides.
 */
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import {
  checkServerIdentity,
  connect,
  createServer,
  type PeerCertificate,
  type SecureContextOptions,
} from 'node:tls';
import {
  type StreamDestination,
  StreamTransport,
  type TcpTransportHandler,
  type TcpTransportOptions,
} from './tcp-transport.ts';

/** A destination for a TLS connection, with the name its certificate must carry. */
export type TlsDestination = StreamDestination;

export interface TlsTransportOptions extends TcpTransportOptions {
  /** Our certificate chain and key (PEM), presented as server and, if set, as client. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Trusted roots for peers' certificates; default: Node's bundled CA store. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Verify the server's certificate when we connect (default true). */
  rejectUnauthorized?: boolean;
  /** Ask connecting clients for a certificate (mutual TLS). */
  requestCert?: boolean;
  /** Further options for node:tls contexts (ciphers, minVersion, …). */
  secureContext?: SecureContextOptions;
}

export type TlsTransportHandler = TcpTransportHandler;

export class TlsTransport extends StreamTransport {
  static async listen(
    options: TlsTransportOptions,
    handler: TlsTransportHandler,
  ): Promise<TlsTransport> {
    const context = {
      ...options.secureContext,
      ...(options.cert === undefined ? {} : { cert: options.cert }),
      ...(options.key === undefined ? {} : { key: options.key }),
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    };
    const server = createServer({
      ...context,
      requestCert: options.requestCert ?? false,
      rejectUnauthorized: options.requestCert ?? false,
      minVersion: options.secureContext?.minVersion ?? 'TLSv1.2',
    });
    // A failed handshake (wrong protocol, bad certificate) only ends that socket.
    server.on('tlsClientError', (err, socket) => {
      handler.onConnectionError?.(
        { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
        err,
      );
    });
    await StreamTransport.bind(server, options);
    return new TlsTransport(
      server,
      options,
      handler,
      {
        dial: (to: TlsDestination) => {
          const name = to.serverName;
          const socket: Socket = connect({
            ...context,
            host: to.address,
            port: to.port,
            // SNI takes host names only (RFC 6066 §3).
            ...(name !== undefined && isIP(name) === 0 ? { servername: name } : {}),
            rejectUnauthorized: options.rejectUnauthorized ?? true,
            minVersion: options.secureContext?.minVersion ?? 'TLSv1.2',
            checkServerIdentity: (host, cert) =>
              checkIdentity(name ?? host, cert, options.rejectUnauthorized ?? true),
          });
          return { socket, established: 'secureConnect' };
        },
      },
      'secureConnection',
    );
  }
}

function checkIdentity(name: string, cert: PeerCertificate, enforce: boolean): Error | undefined {
  if (!enforce) return undefined;
  return checkServerIdentity(name, cert);
}
