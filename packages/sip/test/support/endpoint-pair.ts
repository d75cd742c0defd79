/** Two SipEndpoints on one LoopbackNetwork and a ManualClock, with a wire tap. */
import {
  LoopbackEndpointTransport,
  type LoopbackFaults,
  LoopbackNetwork,
  ManualClock,
  parseMessage,
  type SipMessage,
  SipEndpoint,
} from '../../src/index.ts';
import { Prng } from './prng.ts';

export const A = { address: '127.0.0.1', port: 5060 };
export const B = { address: '127.0.0.1', port: 5070 };

export const OFFER =
  'v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n';
export const ANSWER = OFFER.replace('o=a', 'o=b').replace('4000', '5000');

export interface WireRecord {
  from: string;
  to: string;
  message: SipMessage;
}

export function endpointPair(options: { seed?: number; faults?: LoopbackFaults } = {}) {
  const clock = new ManualClock();
  const prng = new Prng(options.seed ?? 1);
  const wire: WireRecord[] = [];
  const faults: LoopbackFaults = { ...options.faults };
  const userDrop = options.faults?.dropIf;
  faults.dropIf = (data, from, to) => {
    wire.push({ from, to, message: parseMessage(data) });
    return userDrop?.(data, from, to) ?? false;
  };
  const net = new LoopbackNetwork({ clock, random: () => prng.next(), faults });
  const a = new SipEndpoint({ clock, user: 'alice' });
  a.attach(new LoopbackEndpointTransport(net, A, a));
  const b = new SipEndpoint({ clock, user: 'bob' });
  b.attach(new LoopbackEndpointTransport(net, B, b));
  /** Messages on the wire, summarized as "INVITE" / "200 INVITE". */
  const summary = () =>
    wire.map(({ message: m }) =>
      m.kind === 'request' ? m.method : `${m.status} ${m.cseq.method}`,
    );
  return { clock, net, a, b, wire, summary };
}
