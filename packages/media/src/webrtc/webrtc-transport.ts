/**
 * One WebRTC media transport: a UDP socket carrying STUN, DTLS and SRTP for one
 * audio stream (BUNDLE + rtcp-mux, so one 5-tuple), demultiplexed by the first byte
 * (RFC 7983 §7): 0–3 STUN → ICE-lite agent, 20–63 DTLS → werift's DTLS server,
 * 128–191 SRTP/SRTCP → our {@link SrtpTransform}.
 *
 * It presents itself to {@link RtpSession} as its socket: RtpSession sends plain
 * RTP/RTCP through {@link send} (protected here, sent to the ICE-selected address) and
 * receives plain packets as 'message' events (unprotected here). So a WebRTC leg gets
 * the same statistics, RFC 4733 handling, RTCP and relay ('payload') as an RTP leg, and
 * G.711 payloads pass between the two untouched.
 *
 * DTLS (RFC 5763/5764): we are the server (setup:passive); the handshake must offer
 * SRTP_AES128_CM_HMAC_SHA1_80, the browser's certificate must match its SDP
 * fingerprint (RFC 5763 §5), and the SRTP master keys come from the exporter
 * "EXTRACTOR-dtls_srtp" (RFC 5764 §4.2): client key/salt unprotect, server key/salt
 * protect. Nothing is accepted from a source that has not passed an ICE check.
 *
 * A leg that never comes up, or whose browser goes away, fails instead of hanging:
 * - connect timeout: DTLS not connected within `connectTimeoutMs` of creation (the
 *   browser closed the tab during setup, a firewall drops the checks, the handshake
 *   stalls);
 * - consent expiry (RFC 7675 §5.1): an ICE-lite agent sends no checks of its own, but
 *   the browser keeps sending authenticated Binding requests on the selected pair
 *   (consent freshness, every ~5 s, §5.1); none for `consentTimeoutMs` means it is gone.
 * Either way 'failed' is emitted once (a {@link WebRtcTransportError} naming the
 * reason) and the socket, DTLS state and timers are released; `stats()` stays readable.
 */
import type { AddressInfo } from 'node:net';
import type { RemoteInfo, Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { DtlsServer, type Transport } from 'werift';
import { certificateMatches, type DtlsCertificate } from './dtls-certificate.ts';
import { IceLiteAgent } from './ice-lite-agent.ts';
import { SrtpTransform } from './srtp-transform.ts';
import type { DtlsFingerprint } from './webrtc-sdp.ts';

/** RFC 5764 §4.1.2: SRTP_AES128_CM_HMAC_SHA1_80 (werift's profile number 1). */
const SRTP_AES128_CM_HMAC_SHA1_80 = 1;

/** RFC 6347 §4.2.1: HelloVerifyRequest's handshake type. */
const HELLO_VERIFY_REQUEST = 3;

/** Defaults: 30 s to connect; consent lost after 30 s without a check (RFC 7675 §5.1). */
export const WEBRTC_CONNECT_TIMEOUT_MS = 30_000;
export const WEBRTC_CONSENT_TIMEOUT_MS = 30_000;

/**
 * Consent is swept this many times per timeout: a silence is noticed between the timeout
 * and 1 + 1/n of it, with no clock reads and no timer reset per check.
 */
const CONSENT_SWEEPS = 5;

export interface WebRtcTransportOptions {
  /** Fail if DTLS is not connected this long after creation; 0 = never. Default 30 s. */
  connectTimeoutMs?: number | undefined;
  /**
   * Fail if no accepted ICE check arrives on the selected pair for this long, counted
   * from the first accepted check (RFC 7675 §5.1); 0 = never. Default 30 s.
   */
  consentTimeoutMs?: number | undefined;
}

/** Why a transport failed. */
export type WebRtcFailureReason =
  | 'dtls' // werift's DTLS server reported an error
  | 'fingerprint' // the certificate does not match the SDP fingerprint (RFC 5763 §5)
  | 'srtp-profile' // use_srtp negotiated no SRTP_AES128_CM_HMAC_SHA1_80 (RFC 5764 §4.1.2)
  | 'connect-timeout' // ICE/DTLS not done within connectTimeoutMs
  | 'consent-expired'; // no consent check for consentTimeoutMs (RFC 7675 §5.1)

export class WebRtcTransportError extends Error {
  readonly reason: WebRtcFailureReason;

  constructor(reason: WebRtcFailureReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WebRtcTransportError';
    this.reason = reason;
  }
}

export type WebRtcTransportState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

export type WebRtcTransportEvents = {
  /** Plain RTP/RTCP for RtpSession (the dgram 'message' signature). */
  message: [msg: Buffer, rinfo: RemoteInfo];
  error: [Error];
  /** ICE nominated a pair (the browser's address as we see it). */
  selected: [{ address: string; port: number }];
  /** DTLS done, fingerprint checked, SRTP keyed. */
  connected: [];
  /** DTLS, the fingerprint check, the connect timeout or consent failed; media will not flow. */
  failed: [WebRtcTransportError];
};

type SendCallback = (error: Error | null, bytes?: number) => void;

export interface WebRtcTransportStats {
  state: WebRtcTransportState;
  iceChecks: number;
  iceChecksRefused: number;
  /** Times our last DTLS flight was resent because the client repeated its flight. */
  dtlsRetransmits: number;
  /**
   * HelloVerifyRequests sent (RFC 6347 §4.2.1): one per cookie-less ClientHello, so more
   * than one means the client repeated its first flight (a slow or lossy start).
   */
  dtlsHelloVerifyRequests: number;
  /** Why the last refused check was refused (username, message-integrity). */
  iceLastRefusal?: string;
  srtpRejected: number;
  /** Datagrams from sources that never passed an ICE check, or unknown first bytes. */
  dropped: number;
}

export class WebRtcTransport extends EventEmitter<WebRtcTransportEvents> {
  readonly ice = new IceLiteAgent();
  state: WebRtcTransportState = 'new';
  private readonly socket: Socket;
  private readonly dtls: DtlsServer;
  private readonly dtlsTransport: Transport;
  private remoteFingerprints: DtlsFingerprint[] = [];
  private srtp: SrtpTransform | undefined;
  private dtlsPeer: { address: string; port: number } | undefined;
  /**
   * Our latest handshake flight. werift's DtlsServer ignores a client flight it has
   * already answered once connected, so when our final flight (ChangeCipherSpec,
   * Finished) is lost the client would retransmit forever; RFC 6347 §4.2.4 says the
   * server retransmits its last flight then. We do that here.
   */
  private lastFlight: Buffer[] = [];
  private lastFlightResentAt = 0;
  private dtlsRetransmits = 0;
  private dtlsHelloVerifyRequests = 0;
  private srtpRejected = 0;
  private dropped = 0;
  /** Socket closed and DTLS stopped (after close(), or after a failure). */
  private closed = false;
  /** Bound once; still answers after the socket is released. */
  private readonly localAddress: AddressInfo;
  private connectTimer: NodeJS.Timeout | undefined;
  private readonly consentTimeoutMs: number;
  private consentTimer: NodeJS.Timeout | undefined;
  /** An accepted check on the selected pair arrived since the last consent sweep. */
  private consentSeen = false;
  /** Consecutive sweeps without one. */
  private consentMissed = 0;

  constructor(socket: Socket, certificate: DtlsCertificate, options: WebRtcTransportOptions = {}) {
    super();
    this.socket = socket;
    this.localAddress = socket.address();
    this.dtlsTransport = {
      type: 'udp',
      closed: false,
      get address() {
        return socket.address();
      },
      onData: () => {},
      send: (data: Buffer) => {
        const to = this.dtlsPeer ?? this.ice.selected;
        if (to !== undefined && !this.closed) {
          socket.send(data, to.port, to.address);
          if (this.state !== 'connected') {
            this.lastFlight.push(data);
            // Record layer (RFC 6347 §4.1): type 22 at epoch 0, handshake type at byte 13.
            if (data[0] === 22 && data[3] === 0 && data[4] === 0) {
              if (data[13] === HELLO_VERIFY_REQUEST) this.dtlsHelloVerifyRequests++;
            }
          }
        }
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
    this.dtls = new DtlsServer({
      transport: this.dtlsTransport,
      cert: certificate.certPem,
      key: certificate.keyPem,
      signatureHash: certificate.signatureHash as never,
      srtpProfiles: [SRTP_AES128_CM_HMAC_SHA1_80],
      extendedMasterSecret: true,
      certificateRequest: true, // we need the browser's certificate to check its fingerprint
    });
    this.dtls.onConnect.subscribe(() => this.onDtlsConnected());
    this.dtls.onError.subscribe((error: unknown) =>
      this.fail(
        new WebRtcTransportError('dtls', `DTLS handshake failed: ${describe(error)}`, {
          cause: error,
        }),
      ),
    );
    socket.on('message', this.onDatagram);
    socket.on('error', (error) => this.emit('error', error));
    const connectTimeoutMs = options.connectTimeoutMs ?? WEBRTC_CONNECT_TIMEOUT_MS;
    this.consentTimeoutMs = options.consentTimeoutMs ?? WEBRTC_CONSENT_TIMEOUT_MS;
    if (connectTimeoutMs > 0) {
      this.connectTimer = setTimeout(
        () => this.onConnectTimeout(connectTimeoutMs),
        connectTimeoutMs,
      );
      this.connectTimer.unref();
    }
  }

  /** The browser's ICE username fragment and DTLS fingerprints (from its offer). */
  setRemote(iceUfrag: string, fingerprints: DtlsFingerprint[]): void {
    this.ice.setRemoteCredentials(iceUfrag);
    this.remoteFingerprints = fingerprints;
  }

  stats(): WebRtcTransportStats {
    return {
      state: this.state,
      iceChecks: this.ice.checksAnswered,
      iceChecksRefused: this.ice.checksRefused,
      dtlsRetransmits: this.dtlsRetransmits,
      dtlsHelloVerifyRequests: this.dtlsHelloVerifyRequests,
      ...(this.ice.lastRefusal ? { iceLastRefusal: this.ice.lastRefusal } : {}),
      srtpRejected: this.srtpRejected,
      dropped: this.dropped,
    };
  }

  // ---- the dgram.Socket surface RtpSession uses ----

  address(): AddressInfo {
    return this.localAddress;
  }

  /**
   * `send(buf, offset, length, port, address, cb)` (RTP from RtpSender) or
   * `send(buf, port, address, cb)` (RTCP from RtpSession). The port and address are
   * ignored: media goes to the ICE-selected pair. Until SRTP is keyed packets are
   * dropped (the callback still runs, so pooled buffers come back).
   */
  send(buf: Uint8Array, a?: unknown, b?: unknown, c?: unknown, _d?: unknown, e?: unknown): void {
    // Explicit parameters, not a rest array: this runs for every packet we send.
    let offset = 0;
    let length = buf.length;
    let cb: SendCallback | undefined;
    if (typeof b === 'number') {
      offset = a as number;
      length = b;
      cb = e as SendCallback | undefined;
    } else {
      cb = c as SendCallback | undefined;
    }
    const srtp = this.srtp;
    const to = this.ice.selected;
    if (srtp === undefined || to === undefined || this.closed) {
      cb?.(null, 0);
      return;
    }
    let out: Buffer;
    try {
      // RFC 5761 §4: RTCP packet types 192–223 in the second byte.
      const pt = buf[offset + 1]!;
      out =
        pt >= 192 && pt <= 223
          ? srtp.protectRtcp(buf, offset, length)
          : srtp.protectRtp(buf, offset, length);
    } catch (error) {
      cb?.(error as Error);
      return;
    }
    // The plain buffer is free as soon as it is protected: tell the sender now.
    cb?.(null, length);
    this.socket.send(out, to.port, to.address);
  }

  close(): void {
    if (this.closed) return;
    this.state = 'closed';
    this.release();
  }

  /** Stop timers and DTLS and close the socket; `state` is left to the caller. */
  private release(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.connectTimer);
    clearTimeout(this.consentTimer);
    this.connectTimer = undefined;
    this.consentTimer = undefined;
    this.srtp = undefined;
    this.lastFlight = [];
    this.socket.off('message', this.onDatagram);
    try {
      this.dtls.close();
    } catch {
      // nothing to tell a peer that never connected
    }
    this.socket.close();
  }

  // ---- receive path ----

  private readonly onDatagram = (msg: Buffer, rinfo: RemoteInfo): void => {
    const first = msg[0];
    if (first === undefined) return;
    if (first < 4) {
      const r = this.ice.handle(msg, rinfo.address, rinfo.port);
      if (r.response) this.socket.send(r.response, rinfo.port, rinfo.address);
      if (r.nominated && this.ice.selected) this.emit('selected', this.ice.selected);
      if (r.accepted) this.onConsent(rinfo);
      return;
    }
    if (!this.ice.isValidSource(rinfo.address, rinfo.port)) {
      this.dropped++;
      return;
    }
    if (first >= 20 && first <= 63) {
      if (this.state === 'connected') {
        // ContentType 20/22 (RFC 6347 §4.1): the client is repeating its last flight.
        if (first === 20 || first === 22) this.resendLastFlight(rinfo);
        else this.dtlsTransport.onData(msg, [rinfo.address, rinfo.port]); // alerts
        return;
      }
      if (this.state === 'new') this.state = 'connecting';
      this.lastFlight = []; // whatever we send next answers this flight
      this.dtlsPeer = { address: rinfo.address, port: rinfo.port };
      this.dtlsTransport.onData(msg, [rinfo.address, rinfo.port]);
      return;
    }
    if (first >= 128 && first <= 191 && this.srtp !== undefined) {
      const pt = msg[1]!;
      const n =
        pt >= 192 && pt <= 223
          ? this.srtp.unprotectRtcp(msg, msg.length)
          : this.srtp.unprotectRtp(msg, msg.length);
      if (n < 0) {
        this.srtpRejected++;
        return;
      }
      this.emit('message', msg.subarray(0, n), rinfo);
      return;
    }
    this.dropped++;
  };

  private resendLastFlight(to: RemoteInfo): void {
    const now = performance.now();
    // One resend per retransmitted client flight (it spans several datagrams).
    if (now - this.lastFlightResentAt < 250 || this.lastFlight.length === 0) return;
    this.lastFlightResentAt = now;
    this.dtlsRetransmits++;
    for (const d of this.lastFlight) this.socket.send(d, to.port, to.address);
  }

  private onDtlsConnected(): void {
    if (this.closed || this.srtp !== undefined) return;
    const cert = this.dtls.remoteCertificate;
    if (cert === undefined || !certificateMatches(cert, this.remoteFingerprints)) {
      this.fail(
        new WebRtcTransportError(
          'fingerprint',
          'the DTLS certificate does not match the SDP fingerprint',
        ),
      );
      return;
    }
    if (this.dtls.srtp.srtpProfile !== SRTP_AES128_CM_HMAC_SHA1_80) {
      this.fail(
        new WebRtcTransportError(
          'srtp-profile',
          'DTLS negotiated no SRTP_AES128_CM_HMAC_SHA1_80 (use_srtp)',
        ),
      );
      return;
    }
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    const k = this.dtls.extractSessionKeys(16, 14);
    this.srtp = new SrtpTransform(
      { key: k.localKey, salt: k.localSalt },
      { key: k.remoteKey, salt: k.remoteSalt },
    );
    this.state = 'connected';
    this.emit('connected');
  }

  private onConnectTimeout(ms: number): void {
    this.connectTimer = undefined;
    if (this.state === 'connected') return;
    const checks = this.ice.checksAnswered;
    const why =
      checks === 0
        ? this.ice.checksRefused > 0
          ? `no valid ICE check (${this.ice.checksRefused} refused: ${this.ice.lastRefusal ?? 'malformed'})`
          : 'no ICE check arrived'
        : this.state === 'new'
          ? `ICE checks answered (${checks}) but no DTLS ClientHello arrived`
          : `ICE checks answered (${checks}) but the DTLS handshake did not complete`;
    this.fail(
      new WebRtcTransportError(
        'connect-timeout',
        `WebRTC leg not connected after ${ms} ms: ${why}`,
      ),
    );
  }

  /** An accepted check: consent on the selected pair (RFC 7675 §5.1); the first starts the sweeps. */
  private onConsent(from: RemoteInfo): void {
    const s = this.ice.selected;
    if (s === undefined || s.port !== from.port || s.address !== from.address) return;
    this.consentSeen = true;
    if (this.consentTimer === undefined && this.consentTimeoutMs > 0 && !this.closed) {
      this.consentTimer = setTimeout(this.sweepConsent, this.consentTimeoutMs / CONSENT_SWEEPS);
      this.consentTimer.unref();
    }
  }

  private readonly sweepConsent = (): void => {
    this.consentTimer = undefined;
    if (this.closed) return;
    if (this.consentSeen) {
      this.consentSeen = false;
      this.consentMissed = 0;
    } else if (++this.consentMissed >= CONSENT_SWEEPS) {
      this.fail(
        new WebRtcTransportError(
          'consent-expired',
          `WebRTC peer gone: no ICE consent check (RFC 7675) for ${this.consentTimeoutMs} ms`,
        ),
      );
      return;
    }
    this.consentTimer = setTimeout(this.sweepConsent, this.consentTimeoutMs / CONSENT_SWEEPS);
    this.consentTimer.unref();
  };

  /** Report the failure once and release the socket, DTLS state and timers. */
  private fail(error: WebRtcTransportError): void {
    if (this.state === 'failed' || this.closed) return;
    this.state = 'failed';
    this.release();
    this.emit('failed', error);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
