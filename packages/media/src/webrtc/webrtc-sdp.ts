/**
 * Offer/answer with a browser (RFC 8829 JSEP, answerer side), audio only:
 *
 * - We accept the first audio m= line on UDP/TLS/RTP/SAVPF (RFC 5764 §8) that offers a
 *   G.711 law we take (PCMU by default, the offer's payload type numbers, RFC 3264 §6.1)
 *   and telephone-event/8000 (RFC 4733); every other m= line is rejected with port 0,
 *   keeping its a=mid.
 * - rtcp-mux is required (RFC 8834 §5.1.1; browsers always offer it).
 * - ICE: our answer says a=ice-lite (RFC 8445 §2.5, RFC 8839 §5.3) with one host
 *   candidate and end-of-candidates; the offer's ice-ufrag checks USERNAME.
 * - DTLS: the offer's a=fingerprint is kept to check the browser's certificate
 *   (RFC 8122 §5); we answer a=setup:passive (RFC 8842 §5.3: the answerer to actpass
 *   picks; a lite agent being passive means the browser starts the handshake).
 * - BUNDLE (RFC 9143 §7.3): if offered, the answer's group holds only our audio mid.
 */
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import type { G711Law } from '../g711/g711-codec.ts';
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { telephoneEventPtOf } from '../sdp/audio-formats.ts';
import { answerDirection } from '../sdp/media-direction.ts';
import type { NegotiatedAudio } from '../sdp/negotiated-audio.ts';
import { chooseCodec, parseSdp } from '../sdp/sdp-answer.ts';

export interface DtlsFingerprint {
  /** Hash name as in SDP, lower case (e.g. "sha-256"). */
  algorithm: string;
  /** Upper-case hex pairs joined by ':'. */
  value: string;
}

export interface WebRtcLocalOptions {
  address: string;
  port: number;
  iceUfrag: string;
  icePwd: string;
  fingerprint: DtlsFingerprint;
  /** Our RTP SSRC and CNAME, signalled so the browser maps the stream (RFC 5576). */
  ssrc: number;
  cname: string;
  codecs?: readonly G711Law[];
  sessionId: number;
}

export interface WebRtcRemote {
  iceUfrag: string;
  icePwd: string;
  fingerprints: DtlsFingerprint[];
  mid: string | undefined;
}

export type WebRtcAnswerResult =
  | { ok: true; sdp: string; audio: NegotiatedAudio; remote: WebRtcRemote }
  | { ok: false; error: MediaError };

const WEBRTC_PROFILES = ['UDP/TLS/RTP/SAVPF', 'RTP/SAVPF'];

function fingerprintsOf(session: SessionDescription, media: MediaDescription): DtlsFingerprint[] {
  const f = (media.fingerprint ?? session.fingerprint) as
    | { type: string; hash: string }
    | undefined;
  const extra = (media.invalid ?? []).concat(session.invalid ?? []);
  const all: DtlsFingerprint[] = [];
  if (f) all.push({ algorithm: f.type.toLowerCase(), value: f.hash.toUpperCase() });
  // sdp-transform keeps only one a=fingerprint; further ones land in "invalid".
  for (const line of extra) {
    const m = /^fingerprint:(\S+) (\S+)$/.exec(line.value);
    if (m) all.push({ algorithm: m[1]!.toLowerCase(), value: m[2]!.toUpperCase() });
  }
  return all;
}

function bad(code: MediaErrorCode, message: string): WebRtcAnswerResult {
  return { ok: false, error: new MediaError(code, message) };
}

/** Answer a browser's offer. Never throws for a bad offer: the error is returned. */
export function answerWebRtcOffer(offerSdp: string, local: WebRtcLocalOptions): WebRtcAnswerResult {
  let offer: SessionDescription;
  try {
    offer = parseSdp(offerSdp);
  } catch (error) {
    return { ok: false, error: error as MediaError };
  }
  const preference = local.codecs ?? ['PCMU'];
  let chosen:
    | { index: number; media: MediaDescription; law: G711Law; pt: number; te: number | undefined }
    | undefined;
  let sawAudio = false;
  offer.media.forEach((media, index) => {
    if (chosen || media.type !== 'audio' || media.port === 0) return;
    if (!WEBRTC_PROFILES.includes(media.protocol)) return;
    sawAudio = true;
    const codec = chooseCodec(media, preference);
    if (codec) chosen = { index, media, ...codec, te: telephoneEventPtOf(media) };
  });
  if (chosen === undefined) {
    return sawAudio
      ? bad(MediaErrorCode.SdpNoCommonCodec, `the offer has no ${preference.join('/')} audio`)
      : bad(MediaErrorCode.SdpNoAudio, 'the offer has no UDP/TLS/RTP/SAVPF audio stream');
  }
  const { media, index, law, pt, te } = chosen;
  // sdp-transform turns an all-digit value into a number ("4521" → 4521): keep strings.
  const ufragValue = media.iceUfrag ?? offer.iceUfrag;
  const pwdValue = media.icePwd ?? offer.icePwd;
  const ufrag = ufragValue === undefined ? undefined : String(ufragValue);
  const pwd = pwdValue === undefined ? undefined : String(pwdValue);
  if (!ufrag || !pwd) return bad(MediaErrorCode.SdpMalformed, 'the offer has no ice-ufrag/ice-pwd');
  const fingerprints = fingerprintsOf(offer, media);
  if (fingerprints.length === 0)
    return bad(MediaErrorCode.SdpMalformed, 'the offer has no a=fingerprint');
  if (media.rtcpMux === undefined)
    return bad(MediaErrorCode.SdpNoAudio, 'WebRTC audio needs rtcp-mux');
  const setup = media.setup ?? (offer as { setup?: string }).setup ?? 'actpass';
  if (setup === 'passive') {
    return bad(
      MediaErrorCode.SdpMalformed,
      'a=setup:passive offer: the lite side must be DTLS server',
    );
  }
  // c=IN IP4 0.0.0.0 is JSEP's placeholder (RFC 8829 §5.2.1), not RFC 3264 legacy hold.
  const direction = answerDirection(media.direction ?? offer.direction ?? 'sendrecv');
  const mid = media.mid === undefined ? undefined : String(media.mid);

  const ip4 = !local.address.includes(':');
  const lines = [
    'v=0',
    `o=uketsuke ${local.sessionId} 1 IN ${ip4 ? 'IP4' : 'IP6'} ${local.address}`,
    's=-',
    't=0 0',
    'a=ice-lite',
  ];
  const bundle = offer.groups?.find((g) => g.type === 'BUNDLE');
  if (bundle && mid !== undefined && String(bundle.mids).split(' ').includes(mid)) {
    lines.push(`a=group:BUNDLE ${mid}`);
  }
  lines.push('a=msid-semantic: WMS uketsuke');
  offer.media.forEach((m, i) => {
    if (i !== index) {
      lines.push(`m=${m.type} 0 ${m.protocol} ${m.payloads ?? '0'}`);
      lines.push(`c=IN IP4 0.0.0.0`);
      if (m.mid !== undefined) lines.push(`a=mid:${m.mid}`);
      return;
    }
    const pts = te === undefined ? `${pt}` : `${pt} ${te}`;
    lines.push(`m=audio ${local.port} UDP/TLS/RTP/SAVPF ${pts}`);
    lines.push(`c=IN ${ip4 ? 'IP4' : 'IP6'} ${local.address}`);
    lines.push(`a=rtcp:${local.port} IN ${ip4 ? 'IP4' : 'IP6'} ${local.address}`);
    lines.push(`a=ice-ufrag:${local.iceUfrag}`, `a=ice-pwd:${local.icePwd}`);
    lines.push(`a=fingerprint:${local.fingerprint.algorithm} ${local.fingerprint.value}`);
    lines.push('a=setup:passive');
    if (mid !== undefined) lines.push(`a=mid:${mid}`);
    lines.push(`a=${direction}`, 'a=rtcp-mux');
    lines.push('a=msid:uketsuke audio');
    lines.push(`a=rtpmap:${pt} ${law}/8000`);
    if (te !== undefined) {
      lines.push(`a=rtpmap:${te} telephone-event/8000`, `a=fmtp:${te} 0-15`);
    }
    lines.push('a=ptime:20');
    lines.push(`a=ssrc:${local.ssrc} cname:${local.cname}`);
    lines.push(`a=ssrc:${local.ssrc} msid:uketsuke audio`);
    // RFC 8839 §5.1: priority for a host candidate, type preference 126, component 1.
    lines.push(
      `a=candidate:1 1 udp 2130706431 ${local.address} ${local.port} typ host`,
      'a=end-of-candidates',
    );
  });
  const audio: NegotiatedAudio = {
    codec: law,
    payloadType: pt,
    clockRate: 8000,
    telephoneEventPt: te,
    ptimeMs: 20,
    // The browser's c= is a placeholder (RFC 8839 §4.2.1); ICE decides where media goes.
    remoteAddress: local.address,
    remotePort: 9,
    remoteRtcpPort: 9,
    rtcpMux: true,
    direction,
    mediaIndex: index,
  };
  return {
    ok: true,
    sdp: `${lines.join('\r\n')}\r\n`,
    audio,
    remote: { iceUfrag: ufrag, icePwd: pwd, fingerprints, mid },
  };
}
