/**
 * The WebRTC e2e test app: an HTTP server on 127.0.0.1 (the page is opened as
 * http://localhost:<port>/, a secure context for getUserMedia) that
 *
 *   GET  /         the call page (webrtc-call-page.ts)
 *   POST /offer    the browser's SDP offer → WebRTC leg in the MediaEngine, a colocated
 *                  RTP leg that calls the trunk peer (SIP INVITE with our @uketsuke/sip
 *                  stack), bridge, two-channel recording → the SDP answer
 *   POST /hangup   stop the recording, BYE the trunk, destroy both legs → JSON stats
 *
 * Bad offers get an application/problem+json 400/488 with the media error code.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type EndpointStats, isMediaError, MediaEngine, MediaErrorCode } from '@uketsuke/media';
import { SipEndpoint } from '@uketsuke/sip';
import { WEBRTC_CALL_PAGE } from './webrtc-call-page.ts';

export interface WebRtcCallAppOptions {
  dir: string;
  /** The trunk peer's SIP address (SIPp). */
  trunk: { address: string; port: number };
  rtpPorts: string;
}

export interface CallRecord {
  webId: string;
  trunkId: string;
  recording: string;
  hangup: () => Promise<{ web: EndpointStats; trunk: EndpointStats }>;
}

export class WebRtcCallApp {
  readonly engine: MediaEngine;
  readonly sip: SipEndpoint;
  readonly calls: CallRecord[] = [];
  readonly errors: unknown[] = [];
  private readonly server: Server;
  private readonly options: WebRtcCallAppOptions;

  private constructor(engine: MediaEngine, sip: SipEndpoint, options: WebRtcCallAppOptions) {
    this.engine = engine;
    this.sip = sip;
    this.options = options;
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error) => {
        this.errors.push(error);
        problem(res, 500, 'internal', String(error));
      });
    });
    engine.on('endpointError', (e) => this.errors.push(e));
  }

  static async start(options: WebRtcCallAppOptions): Promise<WebRtcCallApp> {
    const engine = await MediaEngine.start({
      workers: 1,
      rtpPorts: options.rtpPorts,
      promptDir: join(options.dir, 'prompts'),
      prepare: false,
    });
    const sip = await SipEndpoint.listenUdp({ host: '127.0.0.1', port: 0 });
    const app = new WebRtcCallApp(engine, sip, options);
    await new Promise<void>((r) => app.server.listen(0, '127.0.0.1', r));
    return app;
  }

  get url(): string {
    return `http://localhost:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
    await this.sip.close();
    await this.engine.close();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(WEBRTC_CALL_PAGE);
      return;
    }
    if (req.method === 'POST' && req.url === '/offer') {
      const offer = await body(req);
      await this.answer(offer, res);
      return;
    }
    if (req.method === 'POST' && req.url === '/hangup') {
      const call = this.calls.at(-1);
      if (call === undefined) {
        problem(res, 404, 'no-call', 'no call to hang up');
        return;
      }
      const stats = await call.hangup();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(stats));
      return;
    }
    problem(res, 404, 'not-found', `${req.method} ${req.url}`);
  }

  private async answer(offer: string, res: ServerResponse): Promise<void> {
    const engine = this.engine;
    let web: { id: string; localSdp: string };
    try {
      web = await engine.createEndpoint({ remoteSdpOffer: offer, webrtc: true });
    } catch (error) {
      if (isMediaError(error)) {
        const status = error.code === MediaErrorCode.SdpMalformed ? 400 : 488;
        problem(res, status, error.code, error.message);
        return;
      }
      throw error;
    }
    const trunk = await engine.createEndpoint({ colocateWith: web.id, codecs: ['PCMU'] });
    const { address, port } = this.options.trunk;
    const session = this.sip.invite({
      uri: `sip:echo@${address}:${port}`,
      sdp: trunk.localSdp,
    });
    const answerSdp = await new Promise<string>((resolve, reject) => {
      session.once('answered', (sdp) =>
        sdp ? resolve(sdp) : reject(new Error('2xx without SDP')),
      );
      session.once('ended', (end) => reject(new Error(`trunk call ended: ${JSON.stringify(end)}`)));
    });
    await engine.setRemoteAnswer(trunk.id, answerSdp);
    await engine.bridge(web.id, trunk.id);
    const recording = join(this.options.dir, `webrtc-call-${this.calls.length + 1}.wav`);
    await engine.record(web.id, recording);
    this.calls.push({
      webId: web.id,
      trunkId: trunk.id,
      recording,
      hangup: async () => {
        const stats = { web: await engine.stats(web.id), trunk: await engine.stats(trunk.id) };
        await engine.stopRecord(web.id);
        const ended = new Promise((r) => session.once('ended', r));
        session.hangup();
        await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))]);
        await engine.destroy(web.id);
        await engine.destroy(trunk.id);
        return stats;
      },
    });
    res.writeHead(200, { 'content-type': 'application/sdp' });
    res.end(web.localSdp);
  }
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      text += d;
      if (text.length > 64 * 1024) req.destroy(new Error('offer too large'));
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function problem(res: ServerResponse, status: number, code: string, detail: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: 'about:blank', title: code, status, detail }));
}
