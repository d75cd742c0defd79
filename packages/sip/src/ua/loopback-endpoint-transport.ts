/**
 * A SipEndpoint's transport on the in-memory LoopbackNetwork: datagrams are validated
 * like UDP ones (bad requests answered statelessly), Via is stamped (§18.2.1, RFC 3581)
 * and responses go where §18.2.2 says.
 */
import type { SipMessage } from '../message/sip-message.ts';
import type { Channel } from '../transaction/transaction-types.ts';
import type { LoopbackNetwork } from '../transport/loopback-network.ts';
import {
  responseDestination,
  type SocketAddress,
  stampVia,
} from '../transport/response-routing.ts';
import { statelessReply } from '../transport/stateless-reply.ts';
import { validateDatagram } from '../validation/validate-message.ts';
import { type EndpointReceiver, type EndpointTransport, hostPort } from './endpoint-transport.ts';
import { isSupportedOptionTag } from './option-tags.ts';

function parseAddress(label: string): SocketAddress {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(label);
  if (m === null) throw new TypeError(`loopback address must be host:port, got ${label}`);
  return { address: m[1]!, port: Number(m[2]) };
}

export class LoopbackEndpointTransport implements EndpointTransport {
  readonly protocol = 'UDP';
  readonly reliable = false;
  readonly local: SocketAddress;
  readonly #net: LoopbackNetwork;
  readonly #label: string;
  readonly #unbind: () => void;

  constructor(net: LoopbackNetwork, local: SocketAddress, receiver: EndpointReceiver) {
    this.#net = net;
    this.local = local;
    this.#label = hostPort(local);
    this.#unbind = net.bind(this.#label, (data, from) => {
      const source = parseAddress(from);
      const verdict = validateDatagram(data, { isExtensionSupported: isSupportedOptionTag });
      if (verdict.kind === 'reject') {
        const { response, destination } = statelessReply(verdict, source);
        this.channel(destination).send(response);
        return;
      }
      if (verdict.kind !== 'accept') return;
      const msg = verdict.message;
      if (msg.kind === 'response') {
        receiver.receiveResponse(msg, source);
        return;
      }
      stampVia(msg, source);
      const via = msg.topVia;
      receiver.receiveRequest(
        msg,
        source,
        this.channel((via && responseDestination(via)) ?? source),
      );
    });
  }

  channel(to: SocketAddress): Channel {
    const target = hostPort(to);
    return {
      reliable: false,
      send: (message: SipMessage) => this.#net.channel(this.#label, target).send(message),
    };
  }

  close(): Promise<void> {
    this.#unbind();
    return Promise.resolve();
  }
}
