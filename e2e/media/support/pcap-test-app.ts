/**
 * A small UAS for the SIPp `uac_pcap` interop test, built on @uketsuke/sip and
 * @uketsuke/media's MediaEngine the way the product's SipCallChannel uses them: the
 * offer goes to `engine.createEndpoint` (which answers it — PCMA when that is all the
 * caller offers), 180 then 200 with the engine's SDP; on ACK the call is recorded
 * (two-channel WAV: left = caller, right = what we send) and a prompt is played; RFC 4733
 * digits arrive as engine 'dtmf' events; on BYE the endpoint's RTP statistics are kept
 * and the endpoint is destroyed. Everything the test checks is in {@link PcapCall}.
 */
import { join } from 'node:path';
import {
  type EndpointStats,
  type G711Law,
  MediaEngine,
  type PlayResult,
  type PromptName,
} from '@uketsuke/media';
import { type IncomingInviteSession, isLoopback, SipEndpoint } from '@uketsuke/sip';

export interface PcapTestAppOptions {
  /** Where prompts are rendered and recordings written. */
  dir: string;
  /** SIP port (0: any). */
  sipPort?: number;
  /** RTP port range for the engine, e.g. '36300-36399' (default: ephemeral). */
  rtpPorts?: string;
  /** What we play once the call is confirmed. */
  prompt: PromptName;
}

export interface PcapCall {
  callId: string;
  codec: G711Law | undefined;
  /** Our SDP answer. */
  answer: string;
  digits: Array<{ digit: string; source: string; durationMs: number }>;
  latched: Array<{ address: string; port: number }>;
  recording: string;
  play: Promise<PlayResult> | undefined;
  /** RTP statistics when the call ended. */
  stats: EndpointStats | undefined;
  /** Resolves once the call ended and its endpoint is gone. */
  done: Promise<void>;
  error: unknown;
}

export class PcapTestApp {
  readonly sip: SipEndpoint;
  readonly engine: MediaEngine;
  readonly calls: PcapCall[] = [];
  readonly #options: PcapTestAppOptions;
  /** Endpoint id → call, for engine events. */
  readonly #byEndpoint = new Map<string, PcapCall>();

  private constructor(sip: SipEndpoint, engine: MediaEngine, options: PcapTestAppOptions) {
    this.sip = sip;
    this.engine = engine;
    this.#options = options;
    engine.on('dtmf', ({ id, digit, source, durationMs }) => {
      this.#byEndpoint.get(id)?.digits.push({ digit, source, durationMs });
    });
    engine.on('latched', ({ id, address, port }) => {
      this.#byEndpoint.get(id)?.latched.push({ address, port });
    });
    sip.on('invite', (s) => this.#onInvite(s));
  }

  static async start(options: PcapTestAppOptions): Promise<PcapTestApp> {
    const engine = await MediaEngine.start({
      workers: 1,
      bindAddress: '127.0.0.1',
      promptDir: join(options.dir, 'prompts'),
      prepare: false,
      ...(options.rtpPorts ? { rtpPorts: options.rtpPorts } : {}),
    });
    try {
      const sip = await SipEndpoint.listen(
        { host: '127.0.0.1', port: options.sipPort ?? 0, allowDestination: isLoopback },
        { user: 'pcap-test' },
      );
      return new PcapTestApp(sip, engine, options);
    } catch (error) {
      await engine.close();
      throw error;
    }
  }

  get sipPort(): number {
    return this.sip.local.port;
  }

  #onInvite(s: IncomingInviteSession): void {
    let finish: () => void = () => {};
    const call: PcapCall = {
      callId: s.callId,
      codec: undefined,
      answer: '',
      digits: [],
      latched: [],
      recording: join(this.#options.dir, `call-${this.calls.length + 1}.wav`),
      play: undefined,
      stats: undefined,
      done: new Promise((resolve) => {
        finish = resolve;
      }),
      error: undefined,
    };
    this.calls.push(call);
    void this.#run(s, call).then(
      () => finish(),
      (error: unknown) => {
        call.error = error;
        finish();
      },
    );
  }

  async #run(s: IncomingInviteSession, call: PcapCall): Promise<void> {
    if (s.offer === undefined) {
      s.reject(488);
      return;
    }
    const ended = new Promise<void>((resolve) => s.once('ended', () => resolve()));
    let ep: Awaited<ReturnType<MediaEngine['createEndpoint']>>;
    try {
      ep = await this.engine.createEndpoint({ remoteSdpOffer: s.offer });
    } catch (error) {
      s.reject(488); // e.g. MEDIA_SDP_NO_COMMON_CODEC
      throw error;
    }
    this.#byEndpoint.set(ep.id, call);
    call.codec = ep.codec;
    call.answer = ep.localSdp;
    try {
      const confirmed = new Promise<void>((resolve) => s.once('confirmed', () => resolve()));
      s.ring();
      s.accept(ep.localSdp);
      await Promise.race([confirmed, ended]);
      if (s.state === 'confirmed') {
        await this.engine.record(ep.id, call.recording);
        call.play = this.engine.play(ep.id, this.#options.prompt, {}, { bargeIn: false });
      }
      await ended;
      call.stats = await this.engine.stats(ep.id);
      await this.engine.stopRecord(ep.id);
    } finally {
      await this.engine.destroy(ep.id);
      this.#byEndpoint.delete(ep.id);
    }
  }

  async close(): Promise<void> {
    await this.sip.close();
    await this.engine.close();
  }
}
