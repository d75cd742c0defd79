/**
 * Load child of webrtc-legs.ts: N "browsers" and N trunk phones (plain node:dgram RTP),
 * all on 127.0.0.1. Driven over IPC: create → offers; answers → connected; run →
 * measuring / measured / done (counts).
 *
 * Browsers (--peers): `lean` (default) = werift's DTLS client + one ICE check + our
 * SRTP (webrtc-lean-browser.ts); `werift` = full werift RTCPeerConnections (PCMU only),
 * which cost ~0.27 ms CPU per call per 20 ms step here and cannot offer 250 calls.
 *
 * Payload markers tell relayed audio from the legs' own silence: browser payloads start
 * with 0x11, trunk payloads with 0x22, bytes 1–2 carry the step number, and only
 * byte-identical payloads of measured steps are counted (PCMU passthrough: the relay
 * must not decode or transcode).
 */
import { createSocket, type Socket } from 'node:dgram';
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
} from 'werift';
import { LeanBrowser } from './webrtc-lean-browser.ts';

interface Browser {
  offer(): Promise<string>;
  answer(sdp: string): Promise<void>;
  readonly state: string;
  sendAudio(seq: number, ssrc: number, payload: Buffer): void;
  close(): void;
}

class WeriftBrowser implements Browser {
  private readonly pc = new RTCPeerConnection({
    codecs: {
      audio: [
        new RTCRtpCodecParameters({
          mimeType: 'audio/PCMU',
          clockRate: 8000,
          channels: 1,
          payloadType: 0,
        }),
      ],
    },
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
  });
  private readonly track = new MediaStreamTrack({ kind: 'audio' });

  constructor(onAudio: (p: Uint8Array) => void) {
    const t = this.pc.addTransceiver(this.track, { direction: 'sendrecv' });
    t.onTrack.subscribe((remote) => remote.onReceiveRtp.subscribe((p) => onAudio(p.payload)));
  }

  async offer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return this.pc.localDescription!.sdp;
  }

  async answer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  get state(): string {
    return this.pc.connectionState;
  }

  sendAudio(seq: number, ssrc: number, payload: Buffer): void {
    this.track.writeRtp(
      new RtpPacket(
        new RtpHeader({
          payloadType: 0,
          sequenceNumber: seq & 0xffff,
          timestamp: (seq * 160) >>> 0,
          ssrc,
        }),
        Buffer.from(payload),
      ),
    );
  }

  close(): void {
    void this.pc.close();
  }
}

interface Call {
  browser: Browser;
  trunk: Socket;
  trunkDest: number;
}

const mode = process.argv[2] ?? 'lean';
const calls: Call[] = [];
const counts = { sentB: 0, recvT: 0, sentT: 0, recvB: 0, lateSteps: 0 };
let counting = false;
const BROWSER_PAYLOAD = Buffer.alloc(160, 0x5a);
BROWSER_PAYLOAD[0] = 0x11;
const TRUNK_PAYLOAD = Buffer.alloc(160, 0x6b);
TRUNK_PAYLOAD[0] = 0x22;
/** Measured steps are [0, measuredSteps): their number rides in payload bytes 1–2. */
let measuredSteps = 0;
const BATCH = 10;
const send = (m: object) => process.send?.(m);

/** Is `p` exactly `template` with a measured step number in bytes 1–2? */
function measured(p: Uint8Array, template: Buffer): boolean {
  if (p.length !== 160 || p[0] !== template[0]) return false;
  const step = (p[1]! << 8) | p[2]!;
  if (step >= measuredSteps) return false;
  for (let i = 3; i < 160; i++) if (p[i] !== template[i]) return false;
  return true;
}

function stamp(template: Buffer, step: number): void {
  const v = step < 0 ? 0xffff : step; // warm-up steps: never counted
  template[1] = v >> 8;
  template[2] = v & 0xff;
}

async function create(n: number): Promise<void> {
  const offers: string[] = [];
  const trunkPorts: number[] = [];
  const onAudio = (p: Uint8Array) => {
    if (counting && measured(p, TRUNK_PAYLOAD)) counts.recvB++;
  };
  for (let i = 0; i < n; i++) {
    let browser: Browser;
    if (mode === 'werift') browser = new WeriftBrowser(onAudio);
    else {
      const lean = new LeanBrowser();
      lean.onAudio = onAudio;
      browser = lean;
    }
    offers.push(await browser.offer());
    const trunk = createSocket('udp4');
    await new Promise<void>((r) => trunk.bind(0, '127.0.0.1', r));
    trunk.on('message', (msg) => {
      // 12-byte header from the engine's RTP leg (no CSRC/extension).
      if (counting && msg.length === 172 && measured(msg.subarray(12), BROWSER_PAYLOAD)) {
        counts.recvT++;
      }
    });
    trunkPorts.push(trunk.address().port);
    calls.push({ browser, trunk, trunkDest: 0 });
  }
  send({ type: 'offers', offers, trunkPorts });
}

async function answers(sdps: string[], trunkDest: number[]): Promise<void> {
  // In batches of handshakes, so a starved generator does not time its own out.
  const end = Date.now() + 60_000;
  const pending = (c: Call) => !['connected', 'failed', 'closed'].includes(c.browser.state);
  for (let b = 0; b < calls.length; b += BATCH) {
    const batch = calls.slice(b, b + BATCH);
    await Promise.all(
      batch.map((c, k) => {
        c.trunkDest = trunkDest[b + k]!;
        return c.browser.answer(sdps[b + k]!);
      }),
    );
    while (Date.now() < end && batch.some(pending)) await new Promise((r) => setTimeout(r, 20));
  }
  const failed = calls
    .map((c, i) => ({ i, state: c.browser.state }))
    .filter((c) => c.state !== 'connected');
  send({ type: 'connected', connected: calls.length - failed.length, failed });
}

async function run(ms: number): Promise<void> {
  const rtp = Buffer.alloc(172);
  rtp[0] = 0x80;
  const steps = Math.floor(ms / 20);
  measuredSteps = steps;
  counting = true;
  const start = performance.now();
  let busyMs = 0;
  // 50 warm-up steps (1 s, not counted), then the measured steps.
  for (let step = -50; step < steps; step++) {
    if (step === 0) send({ type: 'measuring' });
    const t = performance.now();
    const seq = step + 50;
    stamp(BROWSER_PAYLOAD, step);
    stamp(TRUNK_PAYLOAD, step);
    TRUNK_PAYLOAD.copy(rtp, 12);
    rtp.writeUInt16BE(seq & 0xffff, 2);
    rtp.writeUInt32BE((seq * 160) >>> 0, 4);
    for (let i = 0; i < calls.length; i++) {
      const c = calls[i]!;
      c.browser.sendAudio(seq, 1000 + i, BROWSER_PAYLOAD);
      rtp.writeUInt32BE(5000 + i, 8);
      // A copy: dgram may queue the datagram, and `rtp` changes for the next call.
      c.trunk.send(Buffer.from(rtp), c.trunkDest, '127.0.0.1');
      if (step >= 0) {
        counts.sentB++;
        counts.sentT++;
      }
    }
    if (step >= 0) busyMs += performance.now() - t;
    const wait = start + (step + 51) * 20 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else if (step >= 0) counts.lateSteps++;
  }
  send({ type: 'measured' });
  await new Promise((r) => setTimeout(r, 500)); // stragglers
  counting = false;
  send({ type: 'done', ...counts, sendLoopMs: busyMs / Math.max(1, steps) });
}

process.on(
  'message',
  (m: { type: string; n?: number; answers?: string[]; trunkDest?: number[]; ms?: number }) => {
    if (m.type === 'create') void create(m.n!);
    else if (m.type === 'answers') void answers(m.answers!, m.trunkDest!);
    else if (m.type === 'run') void run(m.ms!);
    else if (m.type === 'exit') {
      for (const c of calls) {
        c.browser.close();
        c.trunk.close();
      }
      setTimeout(() => process.exit(0), 200);
    }
  },
);
