/**
 * Building our SDP offer (RFC 3264 §5): one audio stream, RTP/AVP, G.711 in our order of
 * preference plus telephone-event, with a=ptime and a direction attribute.
 */
import { write } from 'sdp-transform';
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { DEFAULT_TELEPHONE_EVENT_PT } from '../dtmf/telephone-event.ts';
import type { LocalAudioOptions } from './negotiated-audio.ts';
import { audioMedia, DEFAULT_CODECS, sessionSkeleton, staticOrDefaultPt } from './sdp-builder.ts';

/** Events we offer: DTMF 0–15 and flash (RFC 4733 §3.2). */
export const OFFERED_EVENTS = '0-16';

export function validateLocalOptions(local: LocalAudioOptions): void {
  if (!Number.isInteger(local.port) || local.port < 0 || local.port > 65535) {
    throw new MediaError(MediaErrorCode.InvalidArgument, `bad RTP port ${local.port}`);
  }
  const te = local.telephoneEventPt;
  if (te !== undefined && te !== false && (!Number.isInteger(te) || te < 96 || te > 127)) {
    throw new MediaError(MediaErrorCode.InvalidArgument, `telephone-event PT ${te} not dynamic`);
  }
  if (local.codecs !== undefined && local.codecs.length === 0) {
    throw new MediaError(MediaErrorCode.InvalidArgument, 'no codecs to offer');
  }
}

/** SDP text of our offer. */
export function buildAudioOffer(local: LocalAudioOptions): string {
  validateLocalOptions(local);
  const session = sessionSkeleton(local);
  const te = local.telephoneEventPt ?? DEFAULT_TELEPHONE_EVENT_PT;
  session.media.push(
    audioMedia({
      port: local.port,
      protocol: 'RTP/AVP',
      codecs: (local.codecs ?? DEFAULT_CODECS).map((law) => [staticOrDefaultPt(law), law] as const),
      telephoneEvent: te === false ? undefined : { pt: te, events: OFFERED_EVENTS },
      ptimeMs: local.ptimeMs ?? 20,
      direction: local.direction ?? 'sendrecv',
    }),
  );
  return write(session);
}
