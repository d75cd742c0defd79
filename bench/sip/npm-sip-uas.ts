/**
 * A minimal answering UAS built on the npm package `sip` 0.0.6 (the benchmark's third
 * peer), the same call flow as our answering app: INVITE → 100, 180, 200 with SDP; ACK;
 * BYE → 200; anything else → 405.
 *
 * `sip` keeps INVITE server transactions after a 2xx but, as its API document says,
 * "applications still need to resend success INVITE responses": this app retransmits
 * each 200 itself until the ACK arrives, at T1, 2·T1, … capped at T2, for at most 64·T1
 * (RFC 3261 §13.3.1.4).
 *
 *   node bench/sip/npm-sip-uas.ts PORT
 *
 * Prints "listening 127.0.0.1:PORT" once bound; SIGTERM prints its counters as JSON.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

interface SipParams {
  [name: string]: string | null | undefined;
}
interface SipNameAddr {
  uri: string;
  name?: string;
  params: SipParams;
}
interface SipMessage {
  method?: string;
  uri?: string;
  status?: number;
  reason?: string;
  headers: Record<string, unknown> & {
    to: SipNameAddr;
    'call-id': string;
    'record-route'?: unknown;
  };
  content?: string;
}
interface SipModule {
  start(
    options: Record<string, unknown>,
    onRequest: (request: SipMessage, remote: unknown) => void,
  ): void;
  send(message: SipMessage): void;
  stop(): void;
  makeResponse(request: SipMessage, status: number, reason?: string): SipMessage;
}

// The package is CommonJS without type declarations.
const sip = createRequire(import.meta.url)('sip') as SipModule;

const T1 = 500;
const T2 = 4000;
const port = Number(process.argv[2] ?? 5090);
const host = '127.0.0.1';
const counters = { received: 0, sent: 0, invites: 0, acks: 0, byes: 0, ackTimeouts: 0 };
/** Call-ID → the 2xx retransmission timer, until the ACK. */
const unacked = new Map<string, ReturnType<typeof setTimeout>>();

const sdp = [
  'v=0',
  `o=npmsip 1 1 IN IP4 ${host}`,
  's=npm-sip',
  `c=IN IP4 ${host}`,
  't=0 0',
  'm=audio 20000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

/** A response with its own To (makeResponse shares the request's header objects). */
function respond(rq: SipMessage, status: number, reason: string, tag?: string): SipMessage {
  const rs = sip.makeResponse(rq, status, reason);
  const to = rq.headers.to;
  rs.headers.to = { uri: to.uri, name: to.name, params: { ...to.params } };
  if (tag !== undefined) rs.headers.to.params.tag = tag;
  return rs;
}

function retransmit2xx(callId: string, ok: SipMessage): void {
  let interval = T1;
  let elapsed = 0;
  const again = () => {
    elapsed += interval;
    if (elapsed >= 64 * T1) {
      unacked.delete(callId);
      counters.ackTimeouts++;
      return;
    }
    sip.send(ok);
    interval = Math.min(interval * 2, T2);
    unacked.set(callId, setTimeout(again, interval));
  };
  unacked.set(callId, setTimeout(again, interval));
}

function onInvite(rq: SipMessage): void {
  if (rq.headers.to.params.tag !== undefined) {
    sip.send(respond(rq, 488, 'Not Acceptable Here'));
    return;
  }
  counters.invites++;
  sip.send(respond(rq, 100, 'Trying'));
  const tag = randomBytes(6).toString('hex');
  const contact = [{ uri: `sip:npmsip@${host}:${port}` }];
  const ringing = respond(rq, 180, 'Ringing', tag);
  ringing.headers.contact = contact;
  // §12.1.1: the UAS copies Record-Route into responses that create a dialog.
  if (rq.headers['record-route'] !== undefined)
    ringing.headers['record-route'] = rq.headers['record-route'];
  sip.send(ringing);
  const ok = respond(rq, 200, 'OK', tag);
  ok.headers.contact = contact;
  if (rq.headers['record-route'] !== undefined)
    ok.headers['record-route'] = rq.headers['record-route'];
  ok.headers['content-type'] = 'application/sdp';
  ok.content = sdp;
  sip.send(ok);
  retransmit2xx(rq.headers['call-id'], ok);
}

sip.start(
  {
    port,
    address: host,
    publicAddress: host,
    tcp: false,
    logger: {
      recv: () => {
        counters.received++;
      },
      send: () => {
        counters.sent++;
      },
    },
  },
  (rq) => {
    switch (rq.method) {
      case 'INVITE':
        onInvite(rq);
        return;
      case 'ACK': {
        const callId = rq.headers['call-id'];
        const timer = unacked.get(callId);
        if (timer !== undefined) {
          clearTimeout(timer);
          unacked.delete(callId);
        }
        counters.acks++;
        return;
      }
      case 'BYE':
        counters.byes++;
        sip.send(respond(rq, 200, 'OK'));
        return;
      default:
        sip.send(respond(rq, 405, 'Method Not Allowed'));
    }
  },
);
console.log(`listening ${host}:${port}`);

const stop = () => {
  for (const t of unacked.values()) clearTimeout(t);
  console.log(JSON.stringify(counters));
  sip.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
