/** Shared pieces for writing our SDP (RFC 4566) through sdp-transform. */
import { randomInt } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { G711_PAYLOAD_TYPE, type G711Law } from '../g711/g711-codec.ts';
import type { MediaDirection } from './media-direction.ts';
import type { LocalAudioOptions } from './negotiated-audio.ts';

export const DEFAULT_CODECS: readonly G711Law[] = ['PCMU', 'PCMA'];

export function ipVersionOf(address: string): 4 | 6 {
  return isIPv6(address) ? 6 : 4;
}

/** v=, o=, s=, c=, t= (RFC 4566 §5). Media is added by the caller. */
export function sessionSkeleton(local: LocalAudioOptions): SessionDescription {
  const ipVer = ipVersionOf(local.address);
  return {
    version: 0,
    origin: {
      username: local.username ?? 'uketsuke',
      // RFC 4566 §5.2: any unique numeric id; callers keep and reuse theirs per dialog.
      sessionId: local.sessionId ?? randomInt(1, 2 ** 47),
      sessionVersion: local.sessionVersion ?? 1,
      netType: 'IN',
      ipVer,
      address: local.address,
    },
    name: local.sessionName ?? 'uketsuke',
    connection: { version: ipVer, ip: local.address },
    timing: { start: 0, stop: 0 },
    media: [],
  };
}

export interface AudioMediaSpec {
  port: number;
  protocol: string;
  /** [payload type, law] in the order to list them. */
  codecs: readonly (readonly [number, G711Law])[];
  telephoneEvent: { pt: number; events: string } | undefined;
  ptimeMs: number;
  direction: MediaDirection;
  mid?: string;
}

/** An accepted/offered audio m= line with rtpmap for every format (static ones too). */
export function audioMedia(spec: AudioMediaSpec): MediaDescription {
  const payloads = spec.codecs.map(([pt]) => pt);
  const media: MediaDescription = {
    type: 'audio',
    port: spec.port,
    protocol: spec.protocol,
    payloads: '',
    rtp: spec.codecs.map(([pt, law]) => ({ payload: pt, codec: law, rate: 8000 })),
    fmtp: [],
    ptime: spec.ptimeMs,
    direction: spec.direction,
  };
  if (spec.telephoneEvent !== undefined) {
    payloads.push(spec.telephoneEvent.pt);
    media.rtp.push({ payload: spec.telephoneEvent.pt, codec: 'telephone-event', rate: 8000 });
    media.fmtp.push({ payload: spec.telephoneEvent.pt, config: spec.telephoneEvent.events });
  }
  media.payloads = payloads.join(' ');
  if (spec.mid !== undefined) media.mid = spec.mid;
  return media;
}

/** RFC 3264 §6: a rejected stream keeps its type and protocol, port 0, one format. */
export function rejectedMedia(offered: MediaDescription): MediaDescription {
  const first =
    String(offered.payloads ?? '')
      .trim()
      .split(/\s+/)[0] || '0';
  const media: MediaDescription = {
    type: offered.type,
    port: 0,
    protocol: offered.protocol,
    payloads: first,
    rtp: [],
    fmtp: [],
  };
  if (offered.mid !== undefined) media.mid = offered.mid;
  return media;
}

export function staticOrDefaultPt(law: G711Law): number {
  return G711_PAYLOAD_TYPE[law];
}
