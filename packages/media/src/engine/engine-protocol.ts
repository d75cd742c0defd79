/**
 * The typed control channel between the signaling thread and a media worker (the
 * mediasoup split: control plane ↔ media plane over request/response messages).
 *
 * Requests carry a sequence number; each gets exactly one response. Long operations
 * (play) respond when they finish. Events flow worker → main without a request.
 * Only plain data crosses the channel (structured clone): never packets.
 */
import type { G711Law } from '../g711/g711-codec.ts';
import type { MediaErrorCode } from '../media-error.ts';
import type { RtpPortRange } from '../port/rtp-port-allocator.ts';
import type { PromptParams } from '../prompts/prompt-catalogue.ts';
import type { WebRtcTransportOptions, WebRtcTransportStats } from '../webrtc/webrtc-transport.ts';
import type { TickLatenessReport } from './tick-lateness.ts';

export type EndpointId = string;

export interface CreateEndpointParams {
  id: EndpointId;
  /** The peer's offer: we answer (UAS). Without it we make the offer (UAC). */
  remoteSdpOffer?: string;
  /** G.711 laws in our order of preference (default PCMU, PCMA; PCMU for WebRTC). */
  codecs?: G711Law[];
  /**
   * `remoteSdpOffer` is a browser's (UDP/TLS/RTP/SAVPF): answer as an ICE-lite,
   * DTLS-SRTP WebRTC leg (see src/webrtc/).
   */
  webrtc?: boolean;
}

export interface CreateEndpointResult {
  id: EndpointId;
  /** Our SDP: the answer to `remoteSdpOffer`, or an offer awaiting `setRemoteAnswer`. */
  localSdp: string;
  /** The local RTP port (for logs and tests). */
  localPort: number;
  /** The negotiated codec once known (after an offer was answered, or an answer read). */
  codec?: G711Law;
}

export type PlayEndReason = 'done' | 'interrupted' | 'stopped' | 'destroyed';

export interface PlayResult {
  reason: PlayEndReason;
  /** The digit that barged in (reason 'interrupted'). */
  digit?: string;
}

export interface EndpointStats {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  jitterMs: number;
  /** Estimated MOS (E-model), 0 before any packet. */
  mos: number;
  discarded: number;
  /** WebRTC legs only: ICE/DTLS state and SRTP counters. */
  webrtc?: WebRtcTransportStats;
}

/** method → [params, result]. */
export type EngineMethods = {
  prepare: [{ readbacks: boolean }, { rendered: number; cached: number }];
  createEndpoint: [CreateEndpointParams, CreateEndpointResult];
  setRemoteAnswer: [{ id: EndpointId; sdp: string }, { codec: G711Law }];
  play: [
    {
      id: EndpointId;
      prompt: string;
      params: PromptParams;
      bargeIn: boolean;
      /** Play this WAV file (a client's recording) instead of the catalogue prompt. */
      file?: string;
    },
    PlayResult,
  ];
  stopPlay: [{ id: EndpointId }, undefined];
  injectDtmf: [{ id: EndpointId; digit: string; durationMs?: number }, undefined];
  record: [{ id: EndpointId; path: string }, undefined];
  stopRecord: [{ id: EndpointId }, undefined];
  bridge: [{ a: EndpointId; b: EndpointId }, undefined];
  unbridge: [{ id: EndpointId }, undefined];
  stats: [{ id: EndpointId }, EndpointStats];
  /** Send lateness of the worker's clock ticks since the last reset. */
  clockStats: [{ reset: boolean }, TickLatenessReport];
  destroy: [{ id: EndpointId }, undefined];
  close: [Record<string, never>, undefined];
};

export type EngineMethod = keyof EngineMethods;

export type EngineRequest = {
  [M in EngineMethod]: { kind: 'request'; seq: number; method: M; params: EngineMethods[M][0] };
}[EngineMethod];

export interface SerializedError {
  code: MediaErrorCode | string;
  message: string;
}

export type EngineResponse =
  | { kind: 'response'; seq: number; ok: true; result: unknown }
  | { kind: 'response'; seq: number; ok: false; error: SerializedError };

export interface DtmfEngineEvent {
  id: EndpointId;
  digit: string;
  /** 'rfc4733' from RTP telephone-events, 'sip-info' when injected by signaling. */
  source: 'rfc4733' | 'sip-info';
  durationMs: number;
}

/** Events a worker reports; also the main-thread engine's event map. */
export type EngineEvents = {
  dtmf: [DtmfEngineEvent];
  /** Symmetric RTP latched the endpoint to where the peer really sends from. */
  latched: [{ id: EndpointId; address: string; port: number }];
  /** Something failed outside any request (socket or recording error). */
  endpointError: [{ id: EndpointId; error: SerializedError }];
  /** A worker died; its endpoints are gone. */
  workerFailed: [{ worker: number; error: SerializedError }];
  /** A new thread replaced a failed worker and is taking endpoints again. */
  workerRestarted: [{ worker: number }];
};

/** Events of the main-thread engine itself, never posted by a worker. */
type EngineOwnEvent = 'workerFailed' | 'workerRestarted';

export type EngineEventMessage = {
  [E in Exclude<keyof EngineEvents, EngineOwnEvent>]: {
    kind: 'event';
    event: E;
    data: EngineEvents[E][0];
  };
}[Exclude<keyof EngineEvents, EngineOwnEvent>];

export type WorkerMessage = EngineResponse | EngineEventMessage;

/** What a worker is started with (worker_threads `workerData`). */
export interface MediaWorkerConfig {
  index: number;
  /** Bind address for RTP sockets. */
  bindAddress: string;
  /** Address written into SDP (c=). */
  advertiseAddress: string;
  /** This worker's slice of the RTP port range; undefined = ephemeral ports. */
  rtpPorts?: RtpPortRange;
  promptDir: string;
  /** espeak-ng binary (tests point it elsewhere). */
  espeakCommand?: string;
  /** WebRTC legs: connect and consent timeouts (default 30 s each, 0 = off). */
  webrtcTimeouts?: WebRtcTransportOptions;
}
