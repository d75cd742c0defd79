/**
 * One catalogue of media error codes. Codes are stable strings: callers switch on
 * `error.code`, never on the message. Mapping to SIP/HTTP statuses happens at the edge
 * (e.g. the call layer answers `MEDIA_SDP_NO_COMMON_CODEC` with 488 Not Acceptable Here).
 */
export const MediaErrorCode = {
  /** RTP/RTCP datagram shorter than its fixed header or declared lengths. */
  RtpMalformed: 'MEDIA_RTP_MALFORMED',
  RtcpMalformed: 'MEDIA_RTCP_MALFORMED',
  /** Output buffer too small for the packet being written. */
  BufferTooSmall: 'MEDIA_BUFFER_TOO_SMALL',
  InvalidArgument: 'MEDIA_INVALID_ARGUMENT',
  DtmfInvalid: 'MEDIA_DTMF_INVALID',
  SdpMalformed: 'MEDIA_SDP_MALFORMED',
  /** No audio codec in the offer that we support: answer 488 (RFC 3261 §13.3.1.1). */
  SdpNoCommonCodec: 'MEDIA_SDP_NO_COMMON_CODEC',
  /** The offer contains no usable audio stream at all (e.g. only video, or only SAVPF). */
  SdpNoAudio: 'MEDIA_SDP_NO_AUDIO',
  WavMalformed: 'MEDIA_WAV_MALFORMED',
  WavUnsupported: 'MEDIA_WAV_UNSUPPORTED',
  Closed: 'MEDIA_CLOSED',
  /** Every RTP port pair in the configured range is in use. */
  PortsExhausted: 'MEDIA_PORTS_EXHAUSTED',
  /** The speech synthesiser (espeak-ng) is not installed: `apt-get install espeak-ng`. */
  TtsUnavailable: 'MEDIA_TTS_UNAVAILABLE',
  /** The synthesiser ran but failed or produced no audio. */
  TtsFailed: 'MEDIA_TTS_FAILED',
  PromptUnknown: 'MEDIA_PROMPT_UNKNOWN',
  /** A media engine request named an endpoint that does not exist (or was destroyed). */
  EndpointUnknown: 'MEDIA_ENDPOINT_UNKNOWN',
  /** Bridging endpoints that live in different media workers (create with `colocateWith`). */
  BridgeUnsupported: 'MEDIA_BRIDGE_UNSUPPORTED',
  /** A media worker thread died; its endpoints are gone. */
  WorkerFailed: 'MEDIA_WORKER_FAILED',
  /**
   * The browser's DTLS handshake failed, its certificate did not match the SDP fingerprint,
   * or DTLS-SRTP was not connected within the connect timeout (the message says whether
   * ICE checks or DTLS were missing).
   */
  WebRtcDtlsFailed: 'MEDIA_WEBRTC_DTLS_FAILED',
  /** The browser's ICE consent checks (RFC 7675) stopped for the consent timeout: it is gone. */
  WebRtcConsentExpired: 'MEDIA_WEBRTC_CONSENT_EXPIRED',
} as const;

export type MediaErrorCode = (typeof MediaErrorCode)[keyof typeof MediaErrorCode];

export class MediaError extends Error {
  readonly code: MediaErrorCode;

  constructor(code: MediaErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MediaError';
    this.code = code;
  }
}

export function isMediaError(value: unknown, code?: MediaErrorCode): value is MediaError {
  return value instanceof MediaError && (code === undefined || value.code === code);
}
