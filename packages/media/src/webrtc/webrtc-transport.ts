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

export type WebRtcTransportState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

export type WebRtcTransportEvents = {
  /** Plain RTP/RTCP for RtpSession (the dgram 'message' signature). */
  message: [msg: Buffer, rinfo: RemoteInfo];
  error: [Error];
  /** ICE nominated a pair (the browser's address as we see it). */
  selected: [{ address: string; port: number }];
  /** DTLS done, fingerprint checked, SRTP keyed. */
  connected: [];
  /** DTLS or the fingerprint check failed; media will not flow. */
  failed: [Error];
};

type SendCallback = (error: Error | null, bytes?: number) => void;

export interface WebRtcTransportStats {
  state: WebRtcTransportState;
  iceChecks: number;
  iceChecksRefused: number;
  /** Times our last DTLS flight was resent because the client repeated its flight. */
  dtlsRetransmits: number;
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
  private srtpRejected = 0;
  private dropped = 0;
  private closed = false;

  constructor(socket: Socket, certificate: DtlsCertificate) {
    super();
    this.socket = socket;
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
          if (this.state !== 'connected') this.lastFlight.push(data);
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
    this.dtls.onError.subscribe((error: Error) => this.fail(error));
    socket.on('message', this.onDatagram);
    socket.on('error', (error) => this.emit('error', error));
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
      ...(this.ice.lastRefusal ? { iceLastRefusal: this.ice.lastRefusal } : {}),
      srtpRejected: this.srtpRejected,
      dropped: this.dropped,
    };
  }

  // ---- the dgram.Socket surface RtpSession uses ----

  address(): AddressInfo {
    return this.socket.address();
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
    this.closed = true;
    this.state = 'closed';
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
      this.fail(new Error('the DTLS certificate does not match the SDP fingerprint'));
      return;
    }
    if (this.dtls.srtp.srtpProfile !== SRTP_AES128_CM_HMAC_SHA1_80) {
      this.fail(new Error('DTLS negotiated no SRTP_AES128_CM_HMAC_SHA1_80 (use_srtp)'));
      return;
    }
    const k = this.dtls.extractSessionKeys(16, 14);
    this.srtp = new SrtpTransform(
      { key: k.localKey, salt: k.localSalt },
      { key: k.remoteKey, salt: k.remoteSalt },
    );
    this.state = 'connected';
    this.emit('connected');
  }

  private fail(error: Error): void {
    if (this.state === 'failed' || this.closed) return;
    this.state = 'failed';
    this.srtp = undefined;
    this.emit('failed', error);
  }
}
