/**
 * Answering an SDP offer (RFC 3264 §6) with one G.711 audio stream.
 *
 * - Every offered m= line gets a line in the answer, in order (§6). We accept the first
 *   audio stream on RTP/AVP or RTP/AVPF that has a G.711 law we support; every other line
 *   (video, a second audio stream, SAVP/SAVPF, no common codec, port 0 in the offer) is
 *   rejected with port 0 (§6, §8.2).
 * - Codec: the first law in *our* preference order that the offer contains, with the
 *   offerer's payload type number (§6.1: the answerer uses the offer's numbering).
 * - telephone-event: accepted with the offerer's payload type, events narrowed to the
 *   ones we handle (0–16).
 * - Direction: {@link answerDirection} (§6.1), with legacy hold (c=0.0.0.0, §8.4) read as
 *   sendonly.
 * - No acceptable stream at all → `MEDIA_SDP_NO_COMMON_CODEC` (the UAS answers 488) or
 *   `MEDIA_SDP_NO_AUDIO` when there was no usable audio line.
 */
import { type MediaDescription, parse, type SessionDescription, write } from 'sdp-transform';
import type { G711Law } from '../g711/g711-codec.ts';
import { MediaError, MediaErrorCode } from '../media-error.ts';
import {
  fmtpOf,
  formatEventList,
  g711LawOf,
  parseEventList,
  payloadTypesOf,
  telephoneEventPtOf,
} from './audio-formats.ts';
import { answerDirection, type MediaDirection } from './media-direction.ts';
import type { LocalAudioOptions, NegotiatedAudio } from './negotiated-audio.ts';
import { audioMedia, DEFAULT_CODECS, rejectedMedia, sessionSkeleton } from './sdp-builder.ts';
import { validateLocalOptions } from './sdp-offer.ts';

/** Profiles we can run unencrypted G.711 over; AVPF feedback is simply not used. */
export const SUPPORTED_PROFILES: readonly string[] = ['RTP/AVP', 'RTP/AVPF'];
const HANDLED_EVENTS_MAX = 16;

export type SdpAnswerResult =
  | { ok: true; sdp: string; audio: NegotiatedAudio }
  | { ok: false; error: MediaError };

/** Parse SDP text, failing with `MEDIA_SDP_MALFORMED` on what sdp-transform tolerates. */
export function parseSdp(text: string): SessionDescription {
  let session: SessionDescription;
  try {
    session = parse(text);
  } catch (cause) {
    throw new MediaError(MediaErrorCode.SdpMalformed, 'unparseable SDP', { cause });
  }
  if (session.version !== 0 || !Array.isArray(session.media)) {
    throw new MediaError(MediaErrorCode.SdpMalformed, 'SDP without v=0');
  }
  return session;
}

/** Offer/answer direction of a stream: media-level, else session-level, else sendrecv. */
export function streamDirection(
  session: SessionDescription,
  media: MediaDescription,
): MediaDirection {
  const ip = media.connection?.ip ?? session.connection?.ip;
  // RFC 3264 §8.4: the pre-3264 way to put a call on hold.
  if (ip === '0.0.0.0') return 'sendonly';
  return media.direction ?? session.direction ?? 'sendrecv';
}

/** Peer RTP/RTCP transport address of a stream. */
export function remoteTransport(
  session: SessionDescription,
  media: MediaDescription,
): { address: string; port: number; rtcpPort: number; rtcpMux: boolean } {
  const address = media.connection?.ip ?? session.connection?.ip;
  if (address === undefined) {
    throw new MediaError(MediaErrorCode.SdpMalformed, 'stream without c= line');
  }
  const rtcpMux = media.rtcpMux !== undefined;
  const rtcpPort = media.rtcp?.port ?? (rtcpMux ? media.port : media.port + 1);
  return { address, port: media.port, rtcpPort, rtcpMux };
}

/** The first law of `preference` present in the m= line, with its payload type. */
export function chooseCodec(
  media: MediaDescription,
  preference: readonly G711Law[],
): { law: G711Law; pt: number } | undefined {
  const offered = payloadTypesOf(media);
  for (const law of preference) {
    for (const pt of offered) if (g711LawOf(media, pt) === law) return { law, pt };
  }
  return undefined;
}

function ptimeOf(media: MediaDescription, session: SessionDescription): number | undefined {
  const p = media.ptime ?? (session as { ptime?: number }).ptime;
  return p === 20 || p === 30 ? p : undefined;
}

/** Build our answer to `offerSdp`. Never throws for a bad offer: the error is returned. */
export function answerAudioOffer(offerSdp: string, local: LocalAudioOptions): SdpAnswerResult {
  validateLocalOptions(local);
  let offer: SessionDescription;
  try {
    offer = parseSdp(offerSdp);
  } catch (error) {
    return { ok: false, error: error as MediaError };
  }
  const preference = local.codecs ?? DEFAULT_CODECS;
  const answer = sessionSkeleton(local);
  let audio: NegotiatedAudio | undefined;
  let sawUsableAudio = false;

  offer.media.forEach((media, index) => {
    const usable =
      audio === undefined &&
      media.type === 'audio' &&
      media.port !== 0 &&
      SUPPORTED_PROFILES.includes(media.protocol.toUpperCase());
    if (!usable) {
      answer.media.push(rejectedMedia(media));
      return;
    }
    sawUsableAudio = true;
    const codec = chooseCodec(media, preference);
    if (codec === undefined) {
      answer.media.push(rejectedMedia(media));
      return;
    }
    const tePt = local.telephoneEventPt === false ? undefined : telephoneEventPtOf(media);
    let events: string | undefined;
    if (tePt !== undefined) {
      const offeredEvents = parseEventList(fmtpOf(media, tePt));
      events = formatEventList([...offeredEvents].filter((e) => e <= HANDLED_EVENTS_MAX));
    }
    const transport = remoteTransport(offer, media);
    const peerPtime = ptimeOf(media, offer);
    const direction = answerDirection(streamDirection(offer, media), local.direction);
    answer.media.push(
      audioMedia({
        port: local.port,
        protocol: media.protocol,
        codecs: [[codec.pt, codec.law]],
        telephoneEvent:
          tePt !== undefined && events !== undefined && events !== ''
            ? { pt: tePt, events }
            : undefined,
        ptimeMs: peerPtime ?? local.ptimeMs ?? 20,
        direction,
        ...(media.mid !== undefined ? { mid: media.mid } : {}),
      }),
    );
    if (transport.rtcpMux) answer.media[answer.media.length - 1]!.rtcpMux = 'rtcp-mux';
    audio = {
      codec: codec.law,
      payloadType: codec.pt,
      clockRate: 8000,
      telephoneEventPt: events ? tePt : undefined,
      ptimeMs: peerPtime ?? 20,
      remoteAddress: transport.address,
      remotePort: transport.port,
      remoteRtcpPort: transport.rtcpPort,
      rtcpMux: transport.rtcpMux,
      direction,
      mediaIndex: index,
    };
  });

  if (audio === undefined) {
    const error = sawUsableAudio
      ? new MediaError(MediaErrorCode.SdpNoCommonCodec, 'no common audio codec (want PCMU/PCMA)')
      : new MediaError(MediaErrorCode.SdpNoAudio, 'no RTP/AVP audio stream in the offer');
    return { ok: false, error };
  }
  return { ok: true, sdp: write(answer), audio };
}
