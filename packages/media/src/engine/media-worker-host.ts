/**
 * The media plane of one worker thread: one {@link MediaClock} for all its endpoints,
 * an RTP port allocator over its slice of the range, the prompt library, and the
 * request handlers of the control channel. Transport-agnostic (a `post` function), so
 * the worker entry (media-worker.ts) is a few lines.
 */
import type { Socket } from 'node:dgram';
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { bindUdpSocket } from '../port/bind-udp-socket.ts';
import { MediaClock } from '../port/media-clock.ts';
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
import { TickLateness } from './tick-lateness.ts';
import { WorkerEndpoint } from './worker-endpoint.ts';

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
  private readonly clock = new MediaClock();
  private readonly allocator: RtpPortAllocator | undefined;
  private readonly library: PromptLibrary;
  private readonly endpoints = new Map<string, WorkerEndpoint>();
  /** Local SDP options per endpoint (needed again to read an answer). */
  private readonly locals = new Map<string, LocalAudioOptions>();
  private removeTick: (() => void) | undefined;
  private readonly lateness = new TickLateness();
  private skippedAtReset = 0;
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

  /** The one clock listener: phase 1 pulls caller audio everywhere, phase 2 sends/records. */
  private readonly onTick = (tick: number): void => {
    for (const ep of this.endpoints.values()) ep.pullCaller();
    for (const ep of this.endpoints.values()) {
      try {
        ep.tick(tick, this.clock.frameMs);
      } catch (error) {
        this.hooks.error(ep.id, error);
      }
    }
    this.lateness.record(this.clock.now() - this.clock.tickDeadline);
  };

  private ensureTicking(): void {
    if (this.removeTick === undefined && this.endpoints.size > 0) {
      this.removeTick = this.clock.add(this.onTick);
    } else if (this.removeTick !== undefined && this.endpoints.size === 0) {
      this.removeTick();
      this.removeTick = undefined;
    }
  }

  private readonly handlers: Handlers = {
    prepare: async ({ readbacks }) => this.library.prepare({ readbacks }),

    createEndpoint: async ({ id, remoteSdpOffer, codecs }) => {
      if (this.closed) throw new MediaError(MediaErrorCode.Closed, 'media worker is closed');
      if (this.endpoints.has(id)) {
        throw new MediaError(MediaErrorCode.InvalidArgument, `endpoint ${id} exists`);
      }
      const sockets = await this.allocate();
      const port = sockets.rtp.address().port;
      const local: LocalAudioOptions = {
        address: this.config.advertiseAddress,
        port,
        sessionId: this.sessionCounter++,
        sessionVersion: 1,
        ...(codecs ? { codecs } : {}),
      };
      const ep = new WorkerEndpoint(id, sockets, this.hooks);
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

    play: async ({ id, prompt, params, bargeIn }) => {
      const ep = this.endpoint(id);
      const session = ep.requireSession();
      const items = await this.library.playlist(prompt, params, session.codec);
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
      const report = this.lateness.report(this.clock.skippedTicks - this.skippedAtReset);
      if (reset) {
        this.lateness.reset();
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
