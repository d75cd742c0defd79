/**
 * The media engine as the signaling thread sees it: endpoints, prompts, digits,
 * recordings and bridges, all running in worker threads (DESIGN.md: keep media off the
 * signaling thread). This class only sends typed requests and receives typed events —
 * it never sees a packet.
 *
 * Ownership (mediasoup style): the engine owns its workers, a worker owns its
 * endpoints; {@link MediaEngine.close} is idempotent and cascades (every endpoint is
 * destroyed, recordings closed, sockets released, threads ended).
 *
 * Placement: endpoints go to workers round-robin. A bridge relays packets inside one
 * worker, so create the second leg with `colocateWith: firstLegId`.
 */
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { G711Law } from '../g711/g711-codec.ts';
import { MediaError, type MediaErrorCode, MediaErrorCode as Codes } from '../media-error.ts';
import { parseRtpPortRange, type RtpPortRange } from '../port/rtp-port-allocator.ts';
import type { PromptParams } from '../prompts/prompt-catalogue.ts';
import type { TickLatenessReport } from './tick-lateness.ts';
import type { WebRtcTransportOptions } from '../webrtc/webrtc-transport.ts';
import type {
  CreateEndpointResult,
  EndpointId,
  EndpointStats,
  EngineEvents,
  EngineMethod,
  EngineMethods,
  EngineRequest,
  MediaWorkerConfig,
  PlayResult,
  SerializedError,
  WorkerMessage,
} from './engine-protocol.ts';

export interface MediaEngineOptions {
  /** Worker threads (default: cores − 1, at least 1). */
  workers?: number;
  /** RTP port range, e.g. `UKETSUKE_RTP_PORTS` ("20000-29999"), split between workers. */
  rtpPorts?: string | RtpPortRange;
  /** Where RTP sockets bind (default 127.0.0.1). */
  bindAddress?: string;
  /** Address put in SDP (default: bindAddress). */
  advertiseAddress?: string;
  /** Prompt cache folder, e.g. `<UKETSUKE_DATA_DIR>/prompts`. */
  promptDir: string;
  /**
   * Render or load the default prompts at start (default true; 'readbacks' also renders
   * every read-back fragment). Without espeak-ng, start() fails with MEDIA_TTS_UNAVAILABLE
   * unless this is false.
   */
  prepare?: boolean | 'readbacks';
  espeakCommand?: string;
  /**
   * A WebRTC leg fails with `endpointError` when DTLS-SRTP is not connected within
   * `connectTimeoutMs` of its creation, or when the browser's ICE consent checks
   * (RFC 7675) stop for `consentTimeoutMs`. Default 30 s each; 0 turns one off.
   */
  webrtcTimeouts?: WebRtcTransportOptions;
}

export interface CreateEndpointOptions {
  /** The peer's SDP offer: we answer. Omit to make an offer (then {@link MediaEngine.setRemoteAnswer}). */
  remoteSdpOffer?: string;
  /** Place in the same worker as this endpoint (required to bridge the two). */
  colocateWith?: EndpointId;
  codecs?: G711Law[];
  /** `remoteSdpOffer` comes from a browser: answer as a WebRTC (DTLS-SRTP) leg. */
  webrtc?: boolean;
}

export interface PlayOptions {
  /** Stop the prompt on the first DTMF digit (RFC 4733 start or SIP INFO). */
  bargeIn?: boolean;
  /**
   * A WAV file to play in place of the catalogue prompt (a client's own recording; any
   * layout the WAV reader takes, 8 kHz mono is cheapest). Converted to G.711 once per file
   * path and law, so a new recording needs a new path. `prompt` still names what it stands
   * for (hold_music loops).
   */
  file?: string;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

class WorkerLink {
  readonly index: number;
  readonly config: MediaWorkerConfig;
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  alive = true;
  /** A replacement worker: requests wait until its prompts are loaded. */
  ready: Promise<void> | undefined;

  constructor(config: MediaWorkerConfig) {
    this.index = config.index;
    this.config = config;
    this.worker = new Worker(new URL('./media-worker.ts', import.meta.url), { workerData: config });
  }
}

/**
 * A failed worker is replaced at most this many times per {@link RESTART_WINDOW_MS} (per
 * slot): one that dies at once again and again stays dead instead of looping.
 */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

function toError(e: SerializedError): MediaError | Error {
  if (typeof e.code === 'string' && e.code.startsWith('MEDIA_')) {
    return new MediaError(e.code as MediaErrorCode, e.message);
  }
  return Object.assign(new Error(e.message), { code: e.code });
}

/** Split a port range into `n` slices that each hold at least one even/odd pair. */
export function splitPortRange(range: RtpPortRange, n: number): RtpPortRange[] {
  const first = range.min + (range.min % 2);
  const pairs = Math.floor((range.max - first + 1) / 2);
  if (pairs < n) {
    throw new MediaError(Codes.InvalidArgument, `RTP port range too small for ${n} workers`);
  }
  const per = Math.floor(pairs / n);
  return Array.from({ length: n }, (_, i) => {
    const min = first + i * per * 2;
    const max = i === n - 1 ? range.max : min + per * 2 - 1;
    return { min, max };
  });
}

export class MediaEngine extends EventEmitter<EngineEvents> {
  private readonly links: WorkerLink[];
  private readonly placement = new Map<EndpointId, WorkerLink>();
  private seq = 0;
  private nextId = 1;
  private nextWorker = 0;
  private closing: Promise<void> | undefined;
  private readonly prepare: boolean | 'readbacks';
  /** When each worker slot was last restarted (for {@link MAX_RESTARTS}). */
  private readonly restarts = new Map<number, number[]>();

  private constructor(links: WorkerLink[], prepare: boolean | 'readbacks') {
    super();
    this.links = links;
    this.prepare = prepare;
    for (const link of links) this.wire(link);
  }

  /** Start the worker threads (and render/load the prompts unless `prepare: false`). */
  static async start(options: MediaEngineOptions): Promise<MediaEngine> {
    const count = Math.max(1, options.workers ?? availableParallelism() - 1);
    const bindAddress = options.bindAddress ?? '127.0.0.1';
    const range =
      typeof options.rtpPorts === 'string' ? parseRtpPortRange(options.rtpPorts) : options.rtpPorts;
    const slices = range ? splitPortRange(range, count) : [];
    const links: WorkerLink[] = [];
    for (let index = 0; index < count; index++) {
      const config: MediaWorkerConfig = {
        index,
        bindAddress,
        advertiseAddress: options.advertiseAddress ?? bindAddress,
        promptDir: options.promptDir,
        ...(slices[index] ? { rtpPorts: slices[index] } : {}),
        ...(options.espeakCommand ? { espeakCommand: options.espeakCommand } : {}),
        ...(options.webrtcTimeouts ? { webrtcTimeouts: options.webrtcTimeouts } : {}),
      };
      links.push(new WorkerLink(config));
    }
    const prepare = options.prepare ?? true;
    const engine = new MediaEngine(links, prepare);
    if (prepare !== false) {
      try {
        const readbacks = prepare === 'readbacks';
        // Worker 0 renders what is missing; the others then load the cache from disk.
        await engine.call(links[0]!, 'prepare', { readbacks });
        await Promise.all(links.slice(1).map((l) => engine.call(l, 'prepare', { readbacks })));
      } catch (error) {
        await engine.close();
        throw error;
      }
    }
    return engine;
  }

  get workerCount(): number {
    return this.links.length;
  }

  /** Make a media endpoint: answer `remoteSdpOffer`, or make an offer. */
  async createEndpoint(options: CreateEndpointOptions = {}): Promise<CreateEndpointResult> {
    this.assertOpen();
    const link = options.colocateWith ? this.linkOf(options.colocateWith) : this.pickWorker();
    const id = `ep${this.nextId++}`;
    this.placement.set(id, link);
    try {
      return await this.call(link, 'createEndpoint', {
        id,
        ...(options.remoteSdpOffer !== undefined ? { remoteSdpOffer: options.remoteSdpOffer } : {}),
        ...(options.codecs ? { codecs: options.codecs } : {}),
        ...(options.webrtc ? { webrtc: true } : {}),
      });
    } catch (error) {
      this.placement.delete(id);
      throw error;
    }
  }

  /** The peer's answer to the offer {@link createEndpoint} made. */
  setRemoteAnswer(id: EndpointId, sdp: string): Promise<{ codec: G711Law }> {
    return this.callFor(id, 'setRemoteAnswer', { id, sdp });
  }

  /**
   * Play a prompt (name from the catalogue, with read-back params). Resolves when it
   * ends: 'done', 'interrupted' (barge-in digit), 'stopped' (replaced or stopPlay) or
   * 'destroyed'. Hold music loops until stopped.
   */
  play(
    id: EndpointId,
    prompt: string,
    params: PromptParams = {},
    options: PlayOptions = {},
  ): Promise<PlayResult> {
    return this.callFor(id, 'play', {
      id,
      prompt,
      params,
      bargeIn: options.bargeIn ?? false,
      ...(options.file === undefined ? {} : { file: options.file }),
    });
  }

  stopPlay(id: EndpointId): Promise<void> {
    return this.callFor(id, 'stopPlay', { id });
  }

  /** A digit that arrived by SIP INFO: reported as a 'dtmf' event and barges in like RTP. */
  injectDtmf(id: EndpointId, digit: string, durationMs?: number): Promise<void> {
    return this.callFor(id, 'injectDtmf', {
      id,
      digit,
      ...(durationMs !== undefined ? { durationMs } : {}),
    });
  }

  /** Record a two-channel WAV: left = the endpoint's caller, right = what they hear. */
  record(id: EndpointId, path: string): Promise<void> {
    return this.callFor(id, 'record', { id, path });
  }

  /** Stop recording; resolves when the file is complete on disk. */
  stopRecord(id: EndpointId): Promise<void> {
    return this.callFor(id, 'stopRecord', { id });
  }

  /** Relay audio between two endpoints of the same worker (no transcoding if laws match). */
  bridge(a: EndpointId, b: EndpointId): Promise<void> {
    const la = this.linkOf(a);
    if (this.linkOf(b) !== la) {
      return Promise.reject(
        new MediaError(
          Codes.BridgeUnsupported,
          `${a} and ${b} are in different media workers (create with colocateWith)`,
        ),
      );
    }
    return this.call(la, 'bridge', { a, b });
  }

  unbridge(id: EndpointId): Promise<void> {
    return this.callFor(id, 'unbridge', { id });
  }

  stats(id: EndpointId): Promise<EndpointStats> {
    return this.callFor(id, 'stats', { id });
  }

  /**
   * Per worker: how late each 20 ms tick's packets went out (p50/p99/max), since the last
   * reset — the media plane's health figure (export it to /metrics).
   */
  clockStats(options: { reset?: boolean } = {}): Promise<TickLatenessReport[]> {
    return Promise.all(
      this.links
        .filter((l) => l.alive)
        .map((l) => this.call(l, 'clockStats', { reset: options.reset ?? false })),
    );
  }

  /** Destroy an endpoint (ends its play, recording and bridge). Safe twice. */
  async destroy(id: EndpointId): Promise<void> {
    const link = this.placement.get(id);
    if (link === undefined) return;
    this.placement.delete(id);
    if (!link.alive) return;
    await this.call(link, 'destroy', { id });
  }

  /** Close everything: endpoints, recordings, sockets, threads. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.placement.clear();
      await Promise.all(
        this.links.map(async (link) => {
          if (!link.alive) return;
          try {
            await this.call(link, 'close', {});
          } catch {
            // a dead worker has nothing left to close
          }
          link.alive = false;
          await link.worker.terminate();
        }),
      );
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new MediaError(Codes.Closed, 'media engine is closed');
  }

  private pickWorker(): WorkerLink {
    for (let i = 0; i < this.links.length; i++) {
      const link = this.links[this.nextWorker++ % this.links.length]!;
      if (link.alive) return link;
    }
    throw new MediaError(Codes.WorkerFailed, 'no media worker alive');
  }

  private linkOf(id: EndpointId): WorkerLink {
    const link = this.placement.get(id);
    if (link === undefined) throw new MediaError(Codes.EndpointUnknown, `no media endpoint ${id}`);
    return link;
  }

  private callFor<M extends EngineMethod>(
    id: EndpointId,
    method: M,
    params: EngineMethods[M][0],
  ): Promise<EngineMethods[M][1]> {
    try {
      return this.call(this.linkOf(id), method, params);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private call<M extends EngineMethod>(
    link: WorkerLink,
    method: M,
    params: EngineMethods[M][0],
  ): Promise<EngineMethods[M][1]> {
    const send = (): Promise<EngineMethods[M][1]> => {
      if (!link.alive) {
        return Promise.reject(
          new MediaError(Codes.WorkerFailed, `media worker ${link.index} is gone`),
        );
      }
      const seq = ++this.seq;
      return new Promise((resolve, reject) => {
        link.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
        link.worker.postMessage({ kind: 'request', seq, method, params } as EngineRequest);
      });
    };
    return link.ready === undefined || method === 'prepare' ? send() : link.ready.then(send);
  }

  /**
   * Replace a failed worker with a new thread on the same slot (same RTP port slice), so
   * one crash does not leave the engine — with one worker, every later call — without
   * media. Its endpoints are gone (their requests fail with MEDIA_WORKER_FAILED or
   * MEDIA_ENDPOINT_UNKNOWN); new ones are placed on it once its prompts are loaded.
   */
  private respawn(dead: WorkerLink): void {
    const now = Date.now();
    const recent = (this.restarts.get(dead.index) ?? []).filter((t) => now - t < RESTART_WINDOW_MS);
    if (recent.length >= MAX_RESTARTS) return;
    this.restarts.set(dead.index, [...recent, now]);
    const link = new WorkerLink(dead.config);
    this.links[dead.index] = link;
    this.wire(link);
    const prepare = this.prepare;
    link.ready = (
      prepare === false
        ? Promise.resolve()
        : this.call(link, 'prepare', { readbacks: prepare === 'readbacks' }).then(() => {})
    ).then(
      () => {
        if (link.alive) this.emit('workerRestarted', { worker: link.index });
      },
      () => {}, // a failed prepare fails the worker (exit) or its prompt requests
    );
  }

  private wire(link: WorkerLink): void {
    link.worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'response') {
        const p = link.pending.get(message.seq);
        if (p === undefined) return;
        link.pending.delete(message.seq);
        if (message.ok) p.resolve(message.result);
        else p.reject(toError(message.error));
        return;
      }
      this.emit(message.event, message.data as never);
    });
    const fail = (error: unknown) => {
      if (!link.alive) return;
      link.alive = false;
      const serialized = {
        code: Codes.WorkerFailed,
        message: `media worker ${link.index} failed: ${error instanceof Error ? error.message : String(error)}`,
      };
      for (const p of link.pending.values()) p.reject(toError(serialized));
      link.pending.clear();
      for (const [id, l] of this.placement) if (l === link) this.placement.delete(id);
      if (this.closing === undefined) {
        this.emit('workerFailed', { worker: link.index, error: serialized });
        this.respawn(link);
      }
    };
    link.worker.on('error', fail);
    link.worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
  }
}
