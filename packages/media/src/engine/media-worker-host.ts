/**
 * The media plane of one worker thread: one {@link MediaClock} for all its endpoints,
 * an RTP port allocator over its slice of the range, the prompt library, and the
 * request handlers of the control channel. Transport-agnostic (a `post` function), so
 * the worker entry (media-worker.ts) is a few lines.
 */
import type { Socket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import type { G711Law } from '../g711/g711-codec.ts';
import type { G711Audio } from '../port/player-port.ts';
import { wavToG711 } from '../wav/wav-to-g711.ts';
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { bindUdpSocket } from '../port/bind-udp-socket.ts';
import { JITTER_CAPACITY_FRAMES } from '../port/jitter-buffer.ts';
import { MediaClock } from '../port/media-clock.ts';
import { SendJitter } from '../port/send-jitter.ts';
import { UdpBatch } from '../port/udp-batch.ts';
import { RtpPortAllocator } from '../port/rtp-port-allocator.ts';
import { EspeakRenderer } from '../prompts/espeak-renderer.ts';
import { PromptLibrary } from '../prompts/prompt-library.ts';
import { answerAudioOffer } from '../sdp/sdp-answer.ts';
import { readAudioAnswer } from '../sdp/sdp-answer-reader.ts';
import { buildAudioOffer } from '../sdp/sdp-offer.ts';
import type { LocalAudioOptions } from '../sdp/negotiated-audio.ts';
import type {
  EngineMethod,
  EngineMethods,
  EngineRequest,
  MediaWorkerConfig,
  SerializedError,
  WorkerMessage,
} from './engine-protocol.ts';
import { GcAccounting } from './gc-accounting.ts';
import { TickLateness } from './tick-lateness.ts';
import { createWebRtcEndpoint } from './webrtc-worker-endpoint.ts';
import { WorkerEndpoint } from './worker-endpoint.ts';

/**
 * Each 20 ms frame is sent in this many sub-ticks, 5 ms apart, each sending the streams
 * of one group (assigned round-robin at creation): bursts are a quarter as long.
 * UKETSUKE_MEDIA_SEND_PHASES overrides it (1–20) for benchmarks.
 */
const SEND_PHASES = sendPhases(process.env.UKETSUKE_MEDIA_SEND_PHASES, 4);

function sendPhases(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 20 ? n : fallback;
}

/** MediaClock earlyWakeMs for the worker (see media-clock.ts); env override for benches. */
const EARLY_WAKE_MS = 0;

type Handlers = {
  [M in EngineMethod]: (params: EngineMethods[M][0]) => Promise<EngineMethods[M][1]>;
};

export function serializeError(error: unknown): SerializedError {
  if (error instanceof MediaError) return { code: error.code, message: error.message };
  const e = error as NodeJS.ErrnoException;
  return { code: e?.code ?? 'MEDIA_INTERNAL', message: e?.message ?? String(error) };
}

export class MediaWorkerHost {
  private readonly config: MediaWorkerConfig;
  private readonly post: (message: WorkerMessage) => void;
  private readonly clock = new MediaClock({
    phases: SEND_PHASES,
    earlyWakeMs: Number(process.env.UKETSUKE_MEDIA_EARLY_WAKE_MS ?? EARLY_WAKE_MS),
    // Early wake-ups block the loop: only for sub-ticks that send from the clock.
    precisionWanted: (phase) => this.groupSendsFromClock[phase] !== 0,
    onSkippedFrames: (frames) => this.replaySkippedFrames(frames),
  });
  private readonly allocator: RtpPortAllocator | undefined;
  private readonly library: PromptLibrary;
  private readonly endpoints = new Map<string, WorkerEndpoint>();
  /** Local SDP options per endpoint (needed again to read an answer). */
  private readonly locals = new Map<string, LocalAudioOptions>();
  private removeTick: (() => void) | undefined;
  private readonly lateness = new TickLateness();
  /** Allocation and collections since the last clockStats reset (for benchmarks). */
  private readonly gc = new GcAccounting();
  private readonly sendJitter = new SendJitter(SEND_PHASES, this.clock.frameMs);
  /** Native batch sends (port/udp-batch.ts); undefined → every packet via node:dgram. */
  private readonly batch = UdpBatch.create();
  /** Every endpoint, as an array (the tick loops over it without an iterator). */
  private readonly allEndpoints: WorkerEndpoint[] = [];
  /** Endpoints per send phase; rebuilt when endpoints come or go. */
  private readonly sendGroups: WorkerEndpoint[][] = Array.from({ length: SEND_PHASES }, () => []);
  private readonly sendPhaseOf = new WeakMap<WorkerEndpoint, number>();
  /**
   * Per send group, 1 when some member sent from the clock in its last sub-tick (a prompt,
   * silence); 0 when all are relayed bridge legs. New members count as sending.
   */
  private readonly groupSendsFromClock = new Uint8Array(SEND_PHASES).fill(1);
  private nextSendPhase = 0;
  private sendGroupsDirty = true;
  private skippedAtReset = 0;
  private sleptAtReset = 0;
  private batchFailedAtReset = 0;
  private sessionCounter = Math.floor(Date.now() / 1000);
  private closed = false;

  constructor(config: MediaWorkerConfig, post: (message: WorkerMessage) => void) {
    this.config = config;
    this.post = post;
    this.allocator = config.rtpPorts ? new RtpPortAllocator(config.rtpPorts) : undefined;
    this.library = new PromptLibrary({
      dir: config.promptDir,
      renderer: new EspeakRenderer(config.espeakCommand ? { command: config.espeakCommand } : {}),
    });
  }

  /** Handle one request; exactly one response is posted, whatever happens. */
  handle(request: EngineRequest): void {
    const handler = this.handlers[request.method] as (p: unknown) => Promise<unknown>;
    handler(request.params).then(
      (result) => this.post({ kind: 'response', seq: request.seq, ok: true, result }),
      (error) =>
        this.post({ kind: 'response', seq: request.seq, ok: false, error: serializeError(error) }),
    );
  }

  /** Recordings played from files, converted once per path and law (paths are immutable). */
  private readonly files = new Map<string, Promise<G711Audio>>();

  private fileAudio(path: string, law: G711Law): Promise<G711Audio> {
    const key = `${law}:${path}`;
    let audio = this.files.get(key);
    if (!audio) {
      audio = readFile(path).then((bytes) => ({ law, data: wavToG711(bytes, law) }));
      audio.catch(() => this.files.delete(key));
      this.files.set(key, audio);
    }
    return audio;
  }

  private endpoint(id: string): WorkerEndpoint {
    const ep = this.endpoints.get(id);
    if (ep === undefined) {
      throw new MediaError(MediaErrorCode.EndpointUnknown, `no media endpoint ${id}`);
    }
    return ep;
  }

  private async allocate(): Promise<{ rtp: Socket; rtcp?: Socket }> {
    if (this.allocator) return this.allocator.allocate(this.config.bindAddress);
    return { rtp: await bindUdpSocket(this.config.bindAddress, 0) };
  }

  private readonly hooks = {
    dtmf: (id: string, digit: string, source: 'rfc4733' | 'sip-info', durationMs: number) =>
      this.post({ kind: 'event', event: 'dtmf', data: { id, digit, source, durationMs } }),
    latched: (id: string, address: string, port: number) =>
      this.post({ kind: 'event', event: 'latched', data: { id, address, port } }),
    error: (id: string, error: unknown) =>
      this.post({
        kind: 'event',
        event: 'endpointError',
        data: { id, error: serializeError(error) },
      }),
  };

  /**
   * The one clock listener. Phase 0 of a frame first pulls caller audio everywhere (so a
   * bridged recording pairs both sides of the same 20 ms); then every phase sends/records
   * its group of endpoints, and measures when its first and last packets left.
   */
  private readonly onTick = (tick: number, phase: number): void => {
    if (this.sendGroupsDirty) this.regroup();
    if (phase === 0) {
      const all = this.allEndpoints;
      for (let i = 0; i < all.length; i++) all[i]!.pullCaller();
    }
    const group = this.sendGroups[phase]!;
    const batch = this.batch;
    batch?.begin();
    // With the batch, packets leave at flush(): the time is taken there.
    let first = batch === undefined ? this.clock.now() : 0;
    let fromClock = 0;
    for (let i = 0; i < group.length; i++) {
      const ep = group[i]!;
      try {
        if (ep.tick(tick, this.clock.frameMs)) fromClock = 1;
      } catch (error) {
        fromClock = 1;
        this.hooks.error(ep.id, error);
      }
    }
    this.groupSendsFromClock[phase] = fromClock;
    let last: number;
    if (batch !== undefined && batch.pending > 0) {
      // Batched packets leave in this one native call: that is when they are sent.
      first = this.clock.now();
      batch.flush();
      last = this.clock.now();
    } else {
      batch?.flush();
      last = this.clock.now();
      if (batch !== undefined) first = last;
    }
    // A group of relayed bridge legs sends nothing from the clock: no jitter sample.
    this.sendJitter.record(phase, fromClock === 1 ? group.length : 0, first, last);
    this.lateness.record(last - this.clock.tickDeadline);
  };

  /**
   * Frames the clock skipped after a stall, replayed for the jitter buffers and
   * recordings only (nothing is sent: a burst of stale audio helps no listener).
   */
  private replaySkippedFrames(frames: number): void {
    if (this.sendGroupsDirty) this.regroup();
    const all = this.allEndpoints;
    // As much as a jitter buffer holds: a longer stall loses what overflows anyway.
    const n = Math.min(frames, JITTER_CAPACITY_FRAMES);
    for (let f = 0; f < n; f++) {
      for (let i = 0; i < all.length; i++) all[i]!.pullCaller();
      for (let i = 0; i < all.length; i++) all[i]!.recordSkippedFrame();
    }
  }

  /** Rebuild the send groups; an endpoint keeps its phase for life (stable timing). */
  private regroup(): void {
    this.sendGroupsDirty = false;
    for (const g of this.sendGroups) g.length = 0;
    this.groupSendsFromClock.fill(1);
    this.allEndpoints.length = 0;
    for (const ep of this.endpoints.values()) {
      this.allEndpoints.push(ep);
      let phase = this.sendPhaseOf.get(ep);
      if (phase === undefined) {
        phase = this.nextSendPhase++ % SEND_PHASES;
        this.sendPhaseOf.set(ep, phase);
      }
      this.sendGroups[phase]!.push(ep);
    }
  }

  private ensureTicking(): void {
    this.sendGroupsDirty = true;
    if (this.removeTick === undefined && this.endpoints.size > 0) {
      this.sendJitter.restart();
      this.removeTick = this.clock.add(this.onTick);
    } else if (this.removeTick !== undefined && this.endpoints.size === 0) {
      this.removeTick();
      this.removeTick = undefined;
    }
  }

  private readonly handlers: Handlers = {
    prepare: async ({ readbacks }) => this.library.prepare({ readbacks }),

    createEndpoint: async ({ id, remoteSdpOffer, codecs, webrtc }) => {
      if (this.closed) throw new MediaError(MediaErrorCode.Closed, 'media worker is closed');
      if (this.endpoints.has(id)) {
        throw new MediaError(MediaErrorCode.InvalidArgument, `endpoint ${id} exists`);
      }
      if (webrtc && remoteSdpOffer === undefined) {
        throw new MediaError(MediaErrorCode.InvalidArgument, 'a WebRTC leg answers an offer');
      }
      const sockets = await this.allocate();
      if (webrtc && remoteSdpOffer !== undefined) {
        const r = await createWebRtcEndpoint({
          id,
          offer: remoteSdpOffer,
          sockets,
          advertiseAddress: this.config.advertiseAddress,
          sessionId: this.sessionCounter++,
          codecs,
          hooks: this.hooks,
          timeouts: this.config.webrtcTimeouts,
        });
        this.endpoints.set(id, r.endpoint);
        this.ensureTicking();
        return { id, localSdp: r.localSdp, localPort: r.endpoint.localPort, codec: r.codec };
      }
      const port = sockets.rtp.address().port;
      const local: LocalAudioOptions = {
        address: this.config.advertiseAddress,
        port,
        sessionId: this.sessionCounter++,
        sessionVersion: 1,
        ...(codecs ? { codecs } : {}),
      };
      const ep = new WorkerEndpoint(id, sockets, this.hooks, this.batch);
      if (remoteSdpOffer === undefined) {
        let sdp: string;
        try {
          sdp = buildAudioOffer(local);
        } catch (error) {
          await ep.close();
          throw error;
        }
        this.endpoints.set(id, ep);
        this.locals.set(id, local);
        this.ensureTicking();
        return { id, localSdp: sdp, localPort: port };
      }
      const answer = answerAudioOffer(remoteSdpOffer, local);
      if (!answer.ok) {
        await ep.close();
        throw answer.error;
      }
      ep.start(answer.audio);
      this.endpoints.set(id, ep);
      this.ensureTicking();
      return { id, localSdp: answer.sdp, localPort: port, codec: answer.audio.codec };
    },

    setRemoteAnswer: async ({ id, sdp }) => {
      const ep = this.endpoint(id);
      const local = this.locals.get(id);
      if (local === undefined || ep.session !== undefined) {
        throw new MediaError(MediaErrorCode.InvalidArgument, `endpoint ${id} made no offer`);
      }
      const r = readAudioAnswer(sdp, local);
      if (!r.ok) throw r.error;
      ep.start(r.audio);
      this.locals.delete(id);
      return { codec: r.audio.codec };
    },

    play: async ({ id, prompt, params, bargeIn, file }) => {
      const ep = this.endpoint(id);
      const session = ep.requireSession();
      const items =
        file === undefined
          ? await this.library.playlist(prompt, params, session.codec)
          : [
              {
                audio: await this.fileAudio(file, session.codec),
                id: prompt,
                ...(PromptLibrary.loops(prompt) ? { loop: true } : {}),
              },
            ];
      if (!this.endpoints.has(id)) return { reason: 'destroyed' as const };
      return ep.play(items, bargeIn);
    },

    stopPlay: async ({ id }) => {
      this.endpoint(id).stopPlay();
      return undefined;
    },

    injectDtmf: async ({ id, digit, durationMs }) => {
      this.endpoint(id).injectDtmf(digit, durationMs ?? 0);
      return undefined;
    },

    record: async ({ id, path }) => {
      await this.endpoint(id).record(path);
      return undefined;
    },

    stopRecord: async ({ id }) => {
      await this.endpoint(id).stopRecord();
      return undefined;
    },

    bridge: async ({ a, b }) => {
      const ea = this.endpoint(a);
      const eb = this.endpoint(b);
      if (ea === eb)
        throw new MediaError(MediaErrorCode.InvalidArgument, 'cannot bridge to itself');
      ea.requireSession();
      eb.requireSession();
      // Leave earlier partners cleanly (each side keeps its own stream).
      for (const ep of [ea, eb])
        if (ep.peer && ep.peer !== ea && ep.peer !== eb) ep.peer.unbridge();
      ea.bridgeTo(eb);
      eb.bridgeTo(ea);
      return undefined;
    },

    unbridge: async ({ id }) => {
      const ep = this.endpoint(id);
      const peer = ep.peer;
      ep.unbridge();
      if (peer?.peer === ep) peer.unbridge();
      return undefined;
    },

    stats: async ({ id }) => this.endpoint(id).stats(),

    clockStats: async ({ reset }) => {
      const report = {
        ...this.lateness.report(this.clock.skippedTicks - this.skippedAtReset),
        sendJitter: this.sendJitter.report(),
        sendPath: this.batch ? ('native-batch' as const) : ('dgram' as const),
        sendPhases: SEND_PHASES,
        batchSendFailures: (this.batch?.stats.failed ?? 0) - this.batchFailedAtReset,
        gc: this.gc.report(),
        earlyWakeSleptMs: this.clock.sleptMs - this.sleptAtReset,
      };
      if (reset) {
        this.sleptAtReset = this.clock.sleptMs;
        this.gc.restart();
        this.batchFailedAtReset = this.batch?.stats.failed ?? 0;
        this.lateness.reset();
        this.sendJitter.reset();
        this.skippedAtReset = this.clock.skippedTicks;
      }
      return report;
    },

    destroy: async ({ id }) => {
      const ep = this.endpoints.get(id);
      if (ep === undefined) return undefined; // destroy is idempotent
      this.endpoints.delete(id);
      this.locals.delete(id);
      this.ensureTicking();
      await ep.close();
      return undefined;
    },

    close: async () => {
      if (this.closed) return undefined;
      this.closed = true;
      const all = [...this.endpoints.values()];
      this.endpoints.clear();
      this.locals.clear();
      this.ensureTicking();
      this.clock.close();
      await Promise.all(all.map((ep) => ep.close()));
      return undefined;
    },
  };
}
