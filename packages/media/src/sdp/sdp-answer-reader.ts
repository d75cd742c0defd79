/**
 * Reading the answer to *our* offer (RFC 3264 §7): which codec and telephone-event PT the
 * answerer picked, where to send, and our resulting direction.
 */
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { g711LawOf, payloadTypesOf, telephoneEventPtOf } from './audio-formats.ts';
import {
  directionFrom,
  directionReceives,
  directionSends,
  reverseDirection,
} from './media-direction.ts';
import type { LocalAudioOptions, NegotiatedAudio } from './negotiated-audio.ts';
import { DEFAULT_CODECS } from './sdp-builder.ts';
import { parseSdp, remoteTransport, streamDirection, SUPPORTED_PROFILES } from './sdp-answer.ts';

export type SdpAnswerReadResult =
  | { ok: true; audio: NegotiatedAudio }
  | { ok: false; error: MediaError };

export function readAudioAnswer(answerSdp: string, local: LocalAudioOptions): SdpAnswerReadResult {
  try {
    const answer = parseSdp(answerSdp);
    const offered = local.codecs ?? DEFAULT_CODECS;
    for (let index = 0; index < answer.media.length; index++) {
      const media = answer.media[index]!;
      if (media.type !== 'audio' || media.port === 0) continue;
      if (!SUPPORTED_PROFILES.includes(media.protocol.toUpperCase())) continue;
      // §7: the answerer lists the formats it will use; the first one it lists that we
      // offered is the one to send.
      let codec: { law: (typeof offered)[number]; pt: number } | undefined;
      for (const pt of payloadTypesOf(media)) {
        const law = g711LawOf(media, pt);
        if (law !== undefined && offered.includes(law)) {
          codec = { law, pt };
          break;
        }
      }
      if (codec === undefined) break;
      const t = remoteTransport(answer, media);
      const peer = reverseDirection(streamDirection(answer, media));
      const want = local.direction ?? 'sendrecv';
      const direction = directionFrom(
        directionSends(peer) && directionSends(want),
        directionReceives(peer) && directionReceives(want),
      );
      const tePt = local.telephoneEventPt === false ? undefined : telephoneEventPtOf(media);
      return {
        ok: true,
        audio: {
          codec: codec.law,
          payloadType: codec.pt,
          clockRate: 8000,
          telephoneEventPt: tePt,
          ptimeMs: media.ptime === 30 ? 30 : 20,
          remoteAddress: t.address,
          remotePort: t.port,
          remoteRtcpPort: t.rtcpPort,
          rtcpMux: t.rtcpMux,
          direction,
          mediaIndex: index,
        },
      };
    }
    return {
      ok: false,
      error: new MediaError(MediaErrorCode.SdpNoCommonCodec, 'answer accepted no G.711 audio'),
    };
  } catch (error) {
    if (error instanceof MediaError) return { ok: false, error };
    throw error;
  }
}
