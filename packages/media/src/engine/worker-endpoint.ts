/**
 * One call leg inside a media worker: an RTP session, a player for prompts, optionally
 * a recorder and a bridge peer. Passive: the worker's single clock listener drives
 * every endpoint in two phases (see media-worker-host.ts), so a bridged recording can
 * take the peer's caller frame of the same tick.
 *
 *   not bridged: clock → player (or G.711 silence, to keep NAT bindings and latching
 *                alive) → RTP out
 *   bridged:     peer's RTP 'payload' → sendEncoded here, no decode, no transcode when
 *                the laws match; a prompt played here takes precedence while it lasts
 */
import type { Socket } from 'node:dgram';
import { type G711Law, G711_SILENCE, g711Tables, g711TranscodeTable } from '../g711/g711-codec.ts';
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { JITTER_CAPACITY_FRAMES, JitterBuffer } from '../port/jitter-buffer.ts';
import { SAMPLES_PER_FRAME } from '../port/media-port.ts';
import { PlayerPort, type PlaylistItem } from '../port/player-port.ts';
import { RecorderPort } from '../port/recorder-port.ts';
import { RtpSession } from '../port/rtp-session.ts';
import { MAX_RTP_PAYLOAD } from '../port/rtp-sender.ts';
import type { UdpBatch } from '../port/udp-batch.ts';
import type { NegotiatedAudio } from '../sdp/negotiated-audio.ts';
import { IncrementalWavWriter } from '../wav/wav-writer.ts';
import type { EndpointId, EndpointStats, PlayResult } from './engine-protocol.ts';

export interface EndpointHooks {
  dtmf(id: EndpointId, digit: string, source: 'rfc4733' | 'sip-info', durationMs: number): void;
  latched(id: EndpointId, address: string, port: number): void;
  error(id: EndpointId, error: unknown): void;
}

/** G.711 bytes we sent, kept one tick so the recorder's right channel hears them. */
class SentAudio {
  private readonly bytes = new Uint8Array(MAX_RTP_PAYLOAD * 2);
  private length = 0;

  push(data: Uint8Array, offset: number, count: number): void {
    if (this.length + count > this.bytes.length) this.length = 0; // recorder fell behind
    for (let i = 0; i < count; i++) this.bytes[this.length + i] = data[offset + i]!;
    this.length += count;
  }

  /** Decode one frame into `out`; false when less than a frame is queued. */
  take(out: Int16Array, decode: Int16Array): boolean {
    const n = out.length;
    if (this.length < n) return false;
    for (let i = 0; i < n; i++) out[i] = decode[this.bytes[i]!]!;
    this.bytes.copyWithin(0, n, this.length);
    this.length -= n;
    return true;
  }
}

/** RTCP report interval in 20 ms ticks (5 s). */
const RTCP_INTERVAL_TICKS = 250;
let nextRtcpPhase = 0;

export class WorkerEndpoint {
  readonly id: EndpointId;
  /** Which tick of the RTCP interval this endpoint reports in (spreads the work). */
  private readonly rtcpPhase = nextRtcpPhase++ % RTCP_INTERVAL_TICKS;
  private readonly hooks: EndpointHooks;
  /** Sockets bound before negotiation (offer made, answer pending). */
  private sockets: { rtp: Socket; rtcp?: Socket | undefined } | undefined;
  session: RtpSession | undefined;
  readonly player = new PlayerPort();
  peer: WorkerEndpoint | undefined;
  private recording: { recorder: RecorderPort; writer: IncrementalWavWriter } | undefined;
  private jitter: JitterBuffer | undefined;
  /** Caller audio of the current tick (phase 1), valid when {@link callerHas}. */
  readonly callerFrame = new Int16Array(SAMPLES_PER_FRAME);
  callerHas = false;
  private readonly recordRight = new Int16Array(SAMPLES_PER_FRAME);
  private readonly sent = new SentAudio();
  private sendBuffer = new Uint8Array(SAMPLES_PER_FRAME);
  private silence: number = G711_SILENCE.PCMU;
  private decode = g711Tables('PCMU').decode;
  private relayTable: Uint8Array | undefined;
  private readonly relayBuffer = new Uint8Array(MAX_RTP_PAYLOAD);
  private msOwed = 0;
  private playing: { resolve: (r: PlayResult) => void; bargeIn: boolean } | undefined;
  private closed = false;
  /** The worker's native send batch, if the addon is loaded. */
  private readonly batch: UdpBatch | undefined;

  constructor(
    id: EndpointId,
    sockets: { rtp: Socket; rtcp?: Socket | undefined },
    hooks: EndpointHooks,
    batch?: UdpBatch,
  ) {
    this.id = id;
    this.sockets = sockets;
    this.hooks = hooks;
    this.batch = batch;
    this.player.on('idle', this.onPlayerIdle);
  }

  get localPort(): number {
    return (this.session ? this.session.localPort : this.sockets?.rtp.address().port) ?? 0;
  }

  get codec(): G711Law | undefined {
    return this.session?.codec;
  }

  /** Start the RTP stream once the negotiation is known (`ssrc`: one signalled in SDP). */
  start(audio: NegotiatedAudio, ssrc?: number): void {
    if (this.session !== undefined || this.sockets === undefined) {
      throw new MediaError(MediaErrorCode.InvalidArgument, `endpoint ${this.id} already started`);
    }
    const session = RtpSession.attach(this.sockets, {
      remoteAddress: audio.remoteAddress,
      remotePort: audio.remotePort,
      remoteRtcpPort: audio.remoteRtcpPort,
      rtcpMux: audio.rtcpMux,
      codec: audio.codec,
      payloadType: audio.payloadType,
      telephoneEventPt: audio.telephoneEventPt,
      ptimeMs: audio.ptimeMs,
      direction: audio.direction,
      ...(ssrc !== undefined ? { ssrc } : {}),
      batch: this.batch,
    });
    this.sockets = undefined;
    this.session = session;
    this.sendBuffer = new Uint8Array((audio.ptimeMs * 8000) / 1000);
    this.silence = G711_SILENCE[audio.codec];
    this.decode = g711Tables(audio.codec).decode;
    session.on('dtmfStart', (d) => {
      if (d.digit !== undefined) this.bargeIn(d.digit);
    });
    session.on('dtmf', (d) => {
      if (d.digit !== undefined) this.hooks.dtmf(this.id, d.digit, 'rfc4733', d.durationMs);
    });
    session.on('latched', (a) => this.hooks.latched(this.id, a.address, a.port));
    session.on('error', (e) => this.hooks.error(this.id, e));
    this.updateAudioTap();
  }

  /** A digit signalled out of band (SIP INFO): same barge-in and event as RFC 4733. */
  injectDtmf(digit: string, durationMs: number): void {
    this.bargeIn(digit);
    this.hooks.dtmf(this.id, digit, 'sip-info', durationMs);
  }

  play(items: PlaylistItem[], bargeIn: boolean): Promise<PlayResult> {
    this.finishPlay({ reason: 'stopped' });
    return new Promise((resolve) => {
      this.playing = { resolve, bargeIn };
      this.player.play(items, { interrupt: true });
      if (!this.player.playing) this.finishPlay({ reason: 'done' }); // empty prompt
    });
  }

  stopPlay(): void {
    this.finishPlay({ reason: 'stopped' });
  }

  async record(path: string): Promise<void> {
    if (this.recording) await this.stopRecord();
    const writer = await IncrementalWavWriter.open(path, { channels: 2, sampleRate: 8000 });
    if (this.closed) {
      await writer.close();
      throw new MediaError(MediaErrorCode.Closed, `endpoint ${this.id} was destroyed`);
    }
    this.recording = { recorder: new RecorderPort(writer), writer };
    this.updateAudioTap();
    this.peer?.updateAudioTap();
  }

  async stopRecord(): Promise<void> {
    const r = this.recording;
    if (r === undefined) return;
    this.drainIntoRecording();
    this.recording = undefined;
    r.recorder.stop();
    this.updateAudioTap();
    this.peer?.updateAudioTap();
    await r.writer.close();
  }

  /** Relay this endpoint's received audio to `peer` (one direction; call on both). */
  bridgeTo(peer: WorkerEndpoint): void {
    const from = this.requireSession();
    const to = peer.requireSession();
    this.unbridge();
    this.peer = peer;
    this.relayTable = g711TranscodeTable(from.codec, to.codec);
    from.on('payload', this.relay);
    this.updateAudioTap();
  }

  unbridge(): void {
    if (this.peer === undefined) return;
    this.session?.off('payload', this.relay);
    this.peer = undefined;
    this.updateAudioTap();
  }

  /** Phase 1 of a tick: take the caller's frame from the jitter buffer. */
  pullCaller(): void {
    this.callerHas = this.jitter ? this.jitter.getFrame(this.callerFrame) : false;
  }

  /**
   * Phase 2 of a tick: send (unless the peer's relay feeds us), record, RTCP. Returns
   * whether this endpoint's stream is sent from the clock (not a relayed bridge leg):
   * only then does the tick's timing matter to the far end.
   */
  tick(tick: number, frameMs: number): boolean {
    const session = this.session;
    if (session === undefined) return false;
    session.poll();
    const prompt = this.player.playing;
    const fromClock = this.peer === undefined || prompt;
    if (fromClock) {
      this.msOwed += frameMs;
      const buf = this.sendBuffer;
      while (this.msOwed >= session.ptimeMs) {
        this.msOwed -= session.ptimeMs;
        if (!this.player.readEncoded(buf, session.codec)) buf.fill(this.silence);
        session.sendEncoded(buf);
        if (this.recording) this.sent.push(buf, 0, buf.length);
      }
    } else {
      this.msOwed = 0;
    }
    if (this.recording) this.recordFrame(prompt);
    // ~5 s (RFC 3550 §6.2), each endpoint in its own tick: all of a worker's endpoints
    // reporting in the same tick stalled it by several ms. In the native batch a report
    // is written in place (port/rtcp-batch-reporter.ts); without it, it allocates.
    if ((tick + this.rtcpPhase) % RTCP_INTERVAL_TICKS === 0) session.sendRtcpReport();
    return fromClock;
  }

  /**
   * A frame the clock skipped after a stall (after {@link pullCaller}): nothing is sent
   * for it, but a recording writes it, so the caller's audio that arrives in the burst
   * after the stall fits in the jitter buffer instead of piling up behind playout.
   */
  recordSkippedFrame(): void {
    if (this.session !== undefined && this.recording) this.recordFrame(this.player.playing);
  }

  /** One frame of the recording: caller left; right what we sent or the peer's caller. */
  private recordFrame(prompt: boolean): void {
    const recorder = this.recording!.recorder;
    if (this.callerHas) recorder.left.putFrame(this.callerFrame);
    const peer = this.peer;
    if (peer !== undefined && !prompt) {
      if (peer.callerHas) recorder.right.putFrame(peer.callerFrame);
    } else if (this.sent.take(this.recordRight, this.decode)) {
      recorder.right.putFrame(this.recordRight);
    }
    recorder.tick();
  }

  /**
   * Before a recording stops: what the jitter buffers still hold (the target delay, more
   * after a stall) was said before it stopped — the caller's last words. Write it out now.
   * The peer's buffer is taken only when the peer records nothing itself (its own
   * recording will have those frames).
   */
  private drainIntoRecording(): void {
    const peer = this.peer?.recording === undefined ? this.peer : undefined;
    const held = Math.max(this.jitter?.bufferedSamples ?? 0, peer?.jitter?.bufferedSamples ?? 0);
    const frames = Math.min(JITTER_CAPACITY_FRAMES, Math.ceil(held / SAMPLES_PER_FRAME));
    const prompt = this.player.playing;
    for (let i = 0; i < frames; i++) {
      this.pullCaller();
      peer?.pullCaller();
      this.recordFrame(prompt);
    }
  }

  stats(): EndpointStats {
    const s = this.session;
    if (s === undefined) {
      return {
        packetsSent: 0,
        packetsReceived: 0,
        packetsLost: 0,
        jitterMs: 0,
        mos: 0,
        discarded: 0,
      };
    }
    const r = s.stats.snapshot();
    return {
      packetsSent: r.packetsSent,
      packetsReceived: r.packets,
      packetsLost: r.lost,
      jitterMs: r.jitterMs,
      mos: r.mos,
      discarded: s.discarded,
    };
  }

  /** Stop everything and release the sockets. Safe twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // First, while the bridge still stands: the drain takes the peer's buffered frames.
    const recordingClosed = this.stopRecord();
    this.finishPlay({ reason: 'destroyed' });
    const peer = this.peer;
    this.unbridge();
    if (peer?.peer === this) peer.unbridge();
    if (this.session) this.session.sendRtcpReport({ reason: 'call ended' });
    this.session?.close();
    this.sockets?.rtp.close();
    this.sockets?.rtcp?.close();
    this.sockets = undefined;
    await recordingClosed;
  }

  requireSession(): RtpSession {
    if (this.session === undefined) {
      throw new MediaError(
        MediaErrorCode.InvalidArgument,
        `endpoint ${this.id} has no negotiated stream yet (setRemoteAnswer first)`,
      );
    }
    return this.session;
  }

  private bargeIn(digit: string): void {
    if (this.playing?.bargeIn && this.player.playing)
      this.finishPlay({ reason: 'interrupted', digit });
  }

  private finishPlay(result: PlayResult): void {
    const p = this.playing;
    if (p === undefined) return;
    this.playing = undefined;
    if (this.player.playing) this.player.interrupt();
    p.resolve(result);
  }

  private readonly onPlayerIdle = (): void => {
    this.finishPlay({ reason: 'done' });
  };

  /** Decode received audio only when someone records it (a pure relay never decodes). */
  updateAudioTap(): void {
    const s = this.session;
    if (s === undefined) return;
    const wanted = this.recording !== undefined || this.peer?.recording !== undefined;
    if (wanted && this.jitter === undefined) {
      this.jitter = new JitterBuffer();
      s.on('audio', this.onAudio);
    } else if (!wanted && this.jitter !== undefined) {
      s.off('audio', this.onAudio);
      this.jitter = undefined;
      this.callerHas = false;
    }
  }

  private readonly onAudio = (pcm: Int16Array, timestamp: number): void => {
    this.jitter?.put(timestamp, pcm);
  };

  private readonly relay = (datagram: Uint8Array, offset: number, length: number): void => {
    const peer = this.peer;
    if (peer === undefined || peer.player.playing) return; // a prompt to the peer wins
    const to = peer.session;
    if (to === undefined) return;
    // Relayed packets of this loop turn leave together (port/udp-batch.ts).
    this.batch?.collectUntilCheckPhase();
    const table = this.relayTable;
    if (table === undefined) {
      to.sendEncoded(datagram, offset, length);
      return;
    }
    const n = Math.min(length, MAX_RTP_PAYLOAD);
    const out = this.relayBuffer;
    for (let i = 0; i < n; i++) out[i] = table[datagram[offset + i]!]!;
    to.sendEncoded(out, 0, n);
  };
}
