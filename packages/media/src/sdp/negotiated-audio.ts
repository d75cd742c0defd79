import type { G711Law } from '../g711/g711-codec.ts';
import type { MediaDirection } from './media-direction.ts';

/** Our local media description inputs, shared by the offerer and the answerer. */
export interface LocalAudioOptions {
  /** Address for c= (IPv4 or IPv6 literal) and o=. */
  address: string;
  /** Our RTP port. */
  port: number;
  /** o= session id / version (RFC 4566 §5.2); bump the version on every new offer. */
  sessionId?: string | number;
  sessionVersion?: number;
  /** o= username, default "uketsuke". */
  username?: string;
  sessionName?: string;
  /** G.711 laws in our order of preference (default PCMU, then PCMA). */
  codecs?: readonly G711Law[];
  /** Payload type we offer for telephone-event, or false to not offer DTMF (default 101). */
  telephoneEventPt?: number | false;
  /** Packetization we ask for, default 20 (RFC 3551 §4.5: G.711 default 20 ms). */
  ptimeMs?: 20 | 30;
  /** What we want to do with the stream (default sendrecv; sendonly to put on hold). */
  direction?: MediaDirection;
}

/** The outcome of a negotiation: everything an RTP session needs to start. */
export interface NegotiatedAudio {
  codec: G711Law;
  /** Payload type for the codec, as used by both directions (RFC 3264 §6.1). */
  payloadType: number;
  clockRate: 8000;
  /** Negotiated telephone-event PT (the offerer's number), undefined if not agreed. */
  telephoneEventPt: number | undefined;
  /** Packetization to send with (the peer's a=ptime if 20/30, else 20). */
  ptimeMs: number;
  /** Where to send RTP (before any symmetric-RTP latching). */
  remoteAddress: string;
  remotePort: number;
  /** RTCP destination: a=rtcp (RFC 3605), the RTP port with rtcp-mux, else port + 1. */
  remoteRtcpPort: number;
  rtcpMux: boolean;
  /** Our direction for this stream after negotiation. */
  direction: MediaDirection;
  /** Index of the m= line carrying the stream. */
  mediaIndex: number;
}
