/**
 * The seam between a SipEndpoint and whatever carries its messages (pjsip's transport
 * module, narrowed): the endpoint asks for a Channel to an address and learns what to
 * write in Via and Contact; the transport feeds validated messages to an EndpointReceiver.
 */
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import type { Channel } from '../transaction/transaction-types.ts';
import type { SocketAddress } from '../transport/response-routing.ts';

export interface EndpointTransport {
  /** Via transport token (§20.42), e.g. "UDP". */
  readonly protocol: string;
  readonly reliable: boolean;
  /** The address written in Via sent-by and Contact. */
  readonly local: SocketAddress;
  channel(to: SocketAddress): Channel;
  /** Idempotent. */
  close(): Promise<void>;
}

export interface EndpointReceiver {
  /** A request that passed validation, with the channel its responses take (§18.2.2). */
  receiveRequest(request: SipRequest, source: SocketAddress, reply: Channel): void;
  receiveResponse(response: SipResponse, source: SocketAddress): void;
}

/** "host:port" with IPv6 brackets, as written in Via sent-by and SIP URIs. */
export function hostPort(a: SocketAddress): string {
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
