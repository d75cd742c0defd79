/**
 * An outgoing call to a URI whose host needs RFC 3263 resolution, with failover (§4.3):
 *
 *   locate(uri) → [t1, t2, …]
 *   stream targets (TCP/TLS) are probed first: a refused connection or failed handshake
 *   moves on to the next target before any INVITE exists;
 *   the INVITE goes to the first target that works (or the first UDP one); if it then
 *   times out or meets a transport error before any response, it is sent again, same
 *   request with a new branch, to the next target over the same transport.
 *
 * Failover after the INVITE left stays on one transport: a session's Via, Contact and
 * in-dialog requests are bound to the transport it started on.
 */
import { SipErrorCode, SipStackError } from '../errors.ts';
import type { OutgoingCallOptions } from '../ua/endpoint-options.ts';
import type { EndpointTransport } from '../ua/endpoint-transport.ts';
import type { OutgoingInviteSession } from '../ua/outgoing-invite-session.ts';
import type { ServerLocator, SipTarget, SipTransportName } from './server-locator.ts';

/** What located calls need from a SipEndpoint. */
export interface LocatingEndpoint {
  transportFor(protocol: string): EndpointTransport | undefined;
  invite(options: OutgoingCallOptions): OutgoingInviteSession;
}

/** A transport that can open a connection ahead of time (TCP, TLS). */
interface Connecting {
  connect(to: SipTarget): Promise<void>;
}

function canConnect(t: EndpointTransport): t is EndpointTransport & Connecting {
  return typeof (t as Partial<Connecting>).connect === 'function';
}

/** The transports an endpoint has, as locator preferences (TLS, TCP, UDP order kept). */
export function endpointTransports(endpoint: LocatingEndpoint): SipTransportName[] {
  const all: SipTransportName[] = ['UDP', 'TCP', 'TLS', 'WS', 'WSS'];
  return all.filter((p) => endpoint.transportFor(p) !== undefined);
}

async function usable(endpoint: LocatingEndpoint, target: SipTarget): Promise<boolean> {
  const transport = endpoint.transportFor(target.transport);
  if (transport === undefined) return false;
  if (!canConnect(transport)) return true;
  try {
    await transport.connect(target);
    return true;
  } catch {
    return false;
  }
}

export async function inviteLocated(
  endpoint: LocatingEndpoint,
  locator: ServerLocator,
  options: Omit<OutgoingCallOptions, 'destination' | 'transport'>,
): Promise<OutgoingInviteSession> {
  const targets = await locator.locate(options.uri);
  let index = 0;
  while (index < targets.length && !(await usable(endpoint, targets[index] as SipTarget))) index++;
  const first = targets[index];
  if (first === undefined) {
    throw new SipStackError(
      SipErrorCode.TransportError,
      `no target for ${options.uri} could be reached (${targets.length} tried)`,
    );
  }
  const session = endpoint.invite({ ...options, destination: first, transport: first.transport });
  session.failover = async () => {
    for (index++; index < targets.length; index++) {
      const next = targets[index] as SipTarget;
      if (next.transport === first.transport && (await usable(endpoint, next))) return next;
    }
    return undefined;
  };
  return session;
}
