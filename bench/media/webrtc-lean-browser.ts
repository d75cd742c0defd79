/**
 * A light "browser" for load generation: ICE controlling agent reduced to one check
 * with USE-CANDIDATE (RFC 8445 §7.2, §8.1.1 aggressive-style nomination against a lite
 * peer), werift's DTLS client (RFC 5764 use_srtp), and our SrtpTransform keyed from
 * werift's exporter. A full werift RTCPeerConnection spends ~0.27 ms of CPU per call per
 * 20 ms step (measured in this benchmark), so 250 of them cannot run on one core; this
 * one does the same wire work (SRTP both ways, STUN consent every 5 s) for far less.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import {
  type SrtpTransform as SrtpTransformType,
  SrtpTransform,
  StunAttr,
  StunResponseBuilder,
  StunType,
} from '@uketsuke/media';
import { parse } from 'sdp-transform';
import {
  CipherContext,
  DtlsClient,
  HashAlgorithm,
  NamedCurveAlgorithm,
  SignatureAlgorithm,
  type Transport,
} from 'werift';
import { X509Certificate } from 'node:crypto';

let certificate:
  | Promise<{ certPem: string; keyPem: string; signatureHash: unknown; fingerprint: string }>
  | undefined;

function clientCertificate() {
  certificate ??= (async () => {
    const c = await CipherContext.createSelfSignedCertificateWithKey(
      { signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 },
      NamedCurveAlgorithm.secp256r1_23,
    );
    return { ...c, fingerprint: new X509Certificate(c.certPem).fingerprint256 };
  })();
  return certificate;
}

export class LeanBrowser {
  private socket!: Socket;
  private readonly ufrag = randomBytes(4).toString('hex');
  private readonly pwd = randomBytes(16).toString('hex');
  private remote: { address: string; port: number; ufrag: string; pwd: string } | undefined;
  private dtls: DtlsClient | undefined;
  private srtp: SrtpTransformType | undefined;
  private readonly out = Buffer.alloc(172);
  state = 'new';
  onAudio: (payload: Uint8Array) => void = () => {};
  private consent: ReturnType<typeof setInterval> | undefined;

  async offer(): Promise<string> {
    this.socket = createSocket('udp4');
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', r));
    const cert = await clientCertificate();
    const port = this.socket.address().port;
    this.socket.on('message', (msg) => this.onDatagram(msg));
    return [
      'v=0',
      `o=- ${Date.now()} 1 IN IP4 127.0.0.1`,
      's=-',
      't=0 0',
      'a=group:BUNDLE 0',
      `m=audio ${port} UDP/TLS/RTP/SAVPF 0`,
      'c=IN IP4 127.0.0.1',
      `a=ice-ufrag:${this.ufrag}`,
      `a=ice-pwd:${this.pwd}`,
      `a=fingerprint:sha-256 ${cert.fingerprint}`,
      'a=setup:actpass',
      'a=mid:0',
      'a=sendrecv',
      'a=rtcp-mux',
      'a=rtpmap:0 PCMU/8000',
      '',
    ].join('\r\n');
  }

  async answer(sdp: string): Promise<void> {
    const s = parse(sdp);
    const m = s.media[0]!;
    const cand = m.candidates?.[0];
    if (!cand) throw new Error('answer without a candidate');
    this.remote = {
      address: cand.ip,
      port: cand.port,
      ufrag: String(m.iceUfrag ?? s.iceUfrag),
      pwd: String(m.icePwd ?? s.icePwd),
    };
    this.state = 'checking';
    this.check();
    // Consent freshness (RFC 7675 §5.1): a check every ~5 s.
    this.consent = setInterval(() => this.check(), 5000);
  }

  private check(): void {
    const r = this.remote!;
    const priority = Buffer.alloc(4);
    priority.writeUInt32BE(0x6e0001ff);
    const request = new StunResponseBuilder(StunType.bindingRequest, randomBytes(12))
      .attribute(StunAttr.username, Buffer.from(`${r.ufrag}:${this.ufrag}`))
      .attribute(StunAttr.priority, priority)
      .attribute(StunAttr.iceControlling, randomBytes(8))
      .attribute(StunAttr.useCandidate, Buffer.alloc(0))
      .build(r.pwd);
    this.socket.send(request, r.port, r.address);
  }

  private async startDtls(): Promise<void> {
    const r = this.remote!;
    const cert = await clientCertificate();
    const socket = this.socket;
    const transport: Transport = {
      type: 'udp',
      closed: false,
      get address() {
        return socket.address();
      },
      onData: () => {},
      send: (data: Buffer) => {
        socket.send(data, r.port, r.address);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
    const dtls = new DtlsClient({
      transport,
      cert: cert.certPem,
      key: cert.keyPem,
      signatureHash: cert.signatureHash as never,
      srtpProfiles: [1],
      extendedMasterSecret: true,
    });
    this.dtls = dtls;
    dtls.onConnect.subscribe(() => {
      const k = dtls.extractSessionKeys(16, 14);
      this.srtp = new SrtpTransform(
        { key: k.localKey, salt: k.localSalt },
        { key: k.remoteKey, salt: k.remoteSalt },
      );
      this.state = 'connected';
    });
    dtls.onError.subscribe(() => {
      this.state = 'failed';
    });
    await dtls.connect();
  }

  private onDatagram(msg: Buffer): void {
    const first = msg[0]!;
    if (first < 4) {
      // Our check's success response (type 0x0101): start DTLS once.
      if (msg.readUInt16BE(0) === StunType.bindingSuccess && this.state === 'checking') {
        this.state = 'dtls';
        this.startDtls().catch(() => {
          this.state = 'failed';
        });
      }
      return;
    }
    if (first >= 20 && first <= 63) {
      this.dtls?.transport.socket.onData(msg, [this.remote!.address, this.remote!.port]);
      return;
    }
    if (first >= 128 && this.srtp !== undefined) {
      const pt = msg[1]!;
      if (pt >= 192 && pt <= 223) return; // SRTCP: not needed here
      const n = this.srtp.unprotectRtp(msg, msg.length);
      if (n === 172) this.onAudio(msg.subarray(12, 172));
    }
  }

  /** Send one 20 ms PCMU packet (plain RTP is protected here). */
  sendAudio(seq: number, ssrc: number, payload: Uint8Array): void {
    if (this.srtp === undefined) return;
    const o = this.out;
    o[0] = 0x80;
    o[1] = 0;
    o.writeUInt16BE(seq & 0xffff, 2);
    o.writeUInt32BE((seq * 160) >>> 0, 4);
    o.writeUInt32BE(ssrc >>> 0, 8);
    o.set(payload, 12);
    const r = this.remote!;
    this.socket.send(this.srtp.protectRtp(o, 0, 172), r.port, r.address);
  }

  close(): void {
    if (this.consent) clearInterval(this.consent);
    try {
      this.dtls?.close();
    } catch {
      // never connected
    }
    this.socket?.close();
  }
}
