/**
 * A WebRTC call leg inside a media worker: a {@link WorkerEndpoint} whose RTP session
 * runs over a {@link WebRtcTransport} (ICE-lite, DTLS-SRTP) instead of a bare UDP
 * socket. Everything else — prompts, RFC 4733 digits, recording, bridging to an RTP
 * (trunk) leg with the G.711 payload passed through untouched — is the RTP leg's code.
 */
import { randomInt } from 'node:crypto';
import type { Socket } from 'node:dgram';
import type { G711Law } from '../g711/g711-codec.ts';
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { dtlsCertificate } from '../webrtc/dtls-certificate.ts';
import { answerWebRtcOffer } from '../webrtc/webrtc-sdp.ts';
import {
  type WebRtcFailureReason,
  WebRtcTransport,
  type WebRtcTransportOptions,
} from '../webrtc/webrtc-transport.ts';
import type { EndpointId, EndpointStats } from './engine-protocol.ts';
import { type EndpointHooks, WorkerEndpoint } from './worker-endpoint.ts';

/**
 * The error code an `endpointError` carries for each way a WebRTC leg fails. The
 * message says which (e.g. "WebRTC leg not connected after 30000 ms: no ICE check
 * arrived", "WebRTC peer gone: no ICE consent check (RFC 7675) for 30000 ms").
 */
const FAILURE_CODE: Record<WebRtcFailureReason, MediaErrorCode> = {
  dtls: MediaErrorCode.WebRtcDtlsFailed,
  fingerprint: MediaErrorCode.WebRtcDtlsFailed,
  'srtp-profile': MediaErrorCode.WebRtcDtlsFailed,
  // DTLS-SRTP was never established (whether ICE or DTLS stalled).
  'connect-timeout': MediaErrorCode.WebRtcDtlsFailed,
  'consent-expired': MediaErrorCode.WebRtcConsentExpired,
};

export class WebRtcWorkerEndpoint extends WorkerEndpoint {
  readonly transport: WebRtcTransport;

  /**
   * On failure (DTLS, fingerprint, connect timeout, consent expiry) the transport has
   * already released its socket and DTLS state; the endpoint reports `endpointError`
   * once and stays, with readable stats, until the caller destroys it.
   */
  constructor(id: EndpointId, transport: WebRtcTransport, hooks: EndpointHooks) {
    // RtpSession uses the transport as its socket (same send/on/address/close surface).
    super(id, { rtp: transport as unknown as Socket }, hooks);
    this.transport = transport;
    transport.on('failed', (error) =>
      hooks.error(id, new MediaError(FAILURE_CODE[error.reason], error.message, { cause: error })),
    );
  }

  override stats(): EndpointStats {
    return { ...super.stats(), webrtc: this.transport.stats() };
  }
}

export interface WebRtcEndpointRequest {
  id: EndpointId;
  offer: string;
  sockets: { rtp: Socket; rtcp?: Socket | undefined };
  advertiseAddress: string;
  sessionId: number;
  codecs?: G711Law[] | undefined;
  hooks: EndpointHooks;
  /** Connect and consent timeouts (default 30 s each; tests use short ones). */
  timeouts?: WebRtcTransportOptions | undefined;
}

/** Answer a browser's offer on freshly bound sockets; closes them if the offer is refused. */
export async function createWebRtcEndpoint(
  r: WebRtcEndpointRequest,
): Promise<{ endpoint: WebRtcWorkerEndpoint; localSdp: string; codec: G711Law }> {
  r.sockets.rtcp?.close(); // rtcp-mux: one socket carries everything
  let transport: WebRtcTransport | undefined;
  try {
    const certificate = await dtlsCertificate();
    const ssrc = randomInt(1, 0xffffffff);
    transport = new WebRtcTransport(r.sockets.rtp, certificate, r.timeouts);
    const answer = answerWebRtcOffer(r.offer, {
      address: r.advertiseAddress,
      port: r.sockets.rtp.address().port,
      iceUfrag: transport.ice.localUfrag,
      icePwd: transport.ice.localPassword,
      fingerprint: certificate.fingerprint,
      sessionId: r.sessionId,
      ssrc,
      cname: `uketsuke-${ssrc.toString(16)}`,
      ...(r.codecs ? { codecs: r.codecs } : {}),
    });
    if (!answer.ok) throw answer.error;
    transport.setRemote(answer.remote.iceUfrag, answer.remote.fingerprints);
    const endpoint = new WebRtcWorkerEndpoint(r.id, transport, r.hooks);
    endpoint.start(answer.audio, ssrc);
    return { endpoint, localSdp: answer.sdp, codec: answer.audio.codec };
  } catch (error) {
    if (transport) transport.close();
    else r.sockets.rtp.close();
    throw error;
  }
}
