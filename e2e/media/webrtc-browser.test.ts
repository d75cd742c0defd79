/**
 * A real browser on the WebRTC leg: headless Chromium (fake microphone playing a WAV
 * spoken by espeak-ng) opens the test app's page, signals SDP over HTTP, and its call
 * goes through our ICE-lite / DTLS-SRTP leg, bridged in the MediaEngine to an RTP leg
 * that calls SIPp over SIP. SIPp answers and talks: it replays a PCMU pcap of another
 * espeak-ng sentence (play_pcap_audio).
 *
 * Asserted: the browser sends and receives PCMU with audio energy (getStats and a
 * WebAudio AnalyserNode); the trunk leg sent to and received from SIPp; both channels of
 * the two-channel recording hold audio (sox stat: RMS and length).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { freeUdpPort, killAllSipp, SIPP_SKIP, startSipp } from '../sip/support/sipp.ts';
import { WebRtcCallApp } from './support/webrtc-call-app.ts';
import { writePcmuPcap } from './support/webrtc-pcap-writer.ts';

const CHROMIUM = process.env.UKETSUKE_CHROMIUM ?? '/usr/bin/chromium';
const has = (cmd: string, arg = '--version') => spawnSync(cmd, [arg]).status === 0;
const SKIP =
  SIPP_SKIP ??
  (existsSync(CHROMIUM) ? undefined : `Chromium not installed at ${CHROMIUM}`) ??
  (has('sox') ? undefined : 'sox not installed (apt-get install sox)') ??
  (has('espeak-ng') ? undefined : 'espeak-ng not installed (apt-get install espeak-ng)');

const SCENARIO_TEMPLATE = resolve(import.meta.dirname, 'scenarios/webrtc-trunk-uas.xml');
/** Fixed ports from this suite's range (RTP 36100–36299). */
const SIPP_MEDIA_PORT = 36200;
const ENGINE_RTP_PORTS = '36210-36229';

/** `sox <file> -n remix <ch> stat` → RMS amplitude and length of one channel. */
function soxStat(file: string, channel: number): { rms: number; seconds: number; text: string } {
  const r = spawnSync('sox', [file, '-n', 'remix', String(channel), 'stat'], { encoding: 'utf8' });
  const text = r.stderr;
  const num = (label: string) => Number(new RegExp(`${label}:\\s+(-?[0-9.e+-]+)`).exec(text)?.[1]);
  return { rms: num('RMS\\s+amplitude'), seconds: num('Length \\(seconds\\)'), text };
}

describe('WebRTC leg with Chromium and a SIPp trunk', { skip: SKIP }, () => {
  let dir: string;
  let app: WebRtcCallApp | undefined;
  let browser: Browser | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'uk-webrtc-e2e-'));
  });

  after(async () => {
    await browser?.close();
    killAllSipp();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('browser ↔ WebRTC leg ↔ RTP leg ↔ SIPp echo: audio both ways, recorded', {
    timeout: 120_000,
  }, async (t) => {
    // The fake microphone: espeak-ng speech, resampled to 48 kHz mono 16-bit.
    const spoken = join(dir, 'spoken.wav');
    const mic = join(dir, 'mic.wav');
    assert.equal(
      spawnSync('espeak-ng', [
        '-v',
        'en',
        '-w',
        spoken,
        'Hello, this is the Uketsuke WebRTC test. One two three four five.',
      ]).status,
      0,
    );
    assert.equal(
      spawnSync('sox', [spoken, '-r', '48000', '-c', '1', '-b', '16', mic, 'repeat', '3']).status,
      0,
    );

    // The trunk phone's voice: another sentence, 8 kHz µ-law in a pcap for SIPp.
    const phoneWav = join(dir, 'phone.wav');
    const phoneUlaw = join(dir, 'phone.ul');
    assert.equal(
      spawnSync('espeak-ng', [
        '-v',
        'en',
        '-w',
        phoneWav,
        'Good morning. You are speaking to the trunk side of this call.',
      ]).status,
      0,
    );
    assert.equal(
      spawnSync('sox', [
        phoneWav,
        '-r',
        '8000',
        '-c',
        '1',
        '-e',
        'u-law',
        '-t',
        'raw',
        phoneUlaw,
        'repeat',
        '3',
      ]).status,
      0,
    );
    const pcap = join(dir, 'phone.pcap');
    const frames = writePcmuPcap(pcap, readFileSync(phoneUlaw));
    assert.ok(frames > 250, `pcap of ${frames} frames`);
    const scenario = join(dir, 'webrtc-trunk-uas.xml');
    writeFileSync(scenario, readFileSync(SCENARIO_TEMPLATE, 'utf8').replace('__PCAP__', pcap));

    const sipPort = await freeUdpPort();
    const sipp = startSipp({
      args: [
        '-sf',
        scenario,
        '-p',
        String(sipPort),
        '-m',
        '1',
        '-mi',
        '127.0.0.1',
        '-mp',
        String(SIPP_MEDIA_PORT),
      ],
      timeoutMs: 100_000,
    });
    app = await WebRtcCallApp.start({
      dir,
      trunk: { address: '127.0.0.1', port: sipPort },
      rtpPorts: ENGINE_RTP_PORTS,
    });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-background-networking',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        `--use-file-for-fake-audio-capture=${mic}`,
        '--autoplay-policy=no-user-gesture-required',
        // Chromium leaves loopback out of ICE gathering unless told otherwise: keep the
        // test on 127.0.0.1.
        '--allow-loopback-in-peer-connection',
      ],
    });
    const page = await browser.newPage();
    const pageLog: string[] = [];
    page.on('console', (m) => pageLog.push(m.text()));
    await page.goto(app.url);
    await page
      .waitForFunction(
        "window.pc?.connectionState === 'connected' || window.callState.error !== undefined",
        undefined,
        { timeout: 30_000 },
      )
      .catch(async (e) => {
        sipp.process.kill('SIGKILL');
        const r = await sipp.done;
        throw new Error(
          `${e}\npage: ${pageLog.join('\n')}\napp errors: ${app?.errors.map(String)}\nsipp: ${r.output.slice(-1500)}\n${r.screen.slice(-1500)}`,
        );
      });
    const error = (await page.evaluate('window.callState.error')) as string | undefined;
    assert.equal(error, undefined, `page: ${error}\n${pageLog.join('\n')}`);

    // Let ~4 s of audio flow both ways.
    await page.waitForTimeout(4000);
    // The page's own code runs there (strings: this project type-checks without the DOM).
    type Stats = Record<string, Record<string, number | string> | string>;
    const stats = (await page.evaluate('window.rtpStats()')) as Stats;
    const heard = (await page.evaluate('window.callState')) as {
      energy: number;
      peak: number;
      samples: number;
    };
    const inbound = stats['inbound-rtp'] as Record<string, number | string> | undefined;
    const outbound = stats['outbound-rtp'] as Record<string, number | string> | undefined;
    const engineView = async () =>
      JSON.stringify({
        web: await app!.engine.stats(app!.calls[0]!.webId),
        trunk: await app!.engine.stats(app!.calls[0]!.trunkId),
      });
    assert.ok(inbound && outbound, `${JSON.stringify(stats)}\n${await engineView()}`);
    assert.ok(Number(outbound.packetsSent) > 100, `browser sent ${outbound.packetsSent}`);
    assert.ok(
      Number(inbound.packetsReceived) > 100,
      `browser received ${inbound.packetsReceived}\n${JSON.stringify(inbound)}\n${await engineView()}`,
    );
    assert.ok(
      Number(inbound.totalAudioEnergy) > 0,
      `inbound totalAudioEnergy ${inbound.totalAudioEnergy}\n${JSON.stringify(inbound)}\n${JSON.stringify(heard)}`,
    );
    assert.ok(Object.values(stats).includes('audio/PCMU'), JSON.stringify(stats));
    assert.ok(heard.peak > 0.01, `AnalyserNode peak ${heard.peak} over ${heard.samples} reads`);

    const res = await fetch(new URL('/hangup', app.url), { method: 'POST' });
    assert.equal(res.status, 200);
    const legs = (await res.json()) as {
      web: { packetsReceived: number; packetsSent: number; webrtc?: { srtpRejected: number } };
      trunk: { packetsReceived: number; packetsSent: number };
    };
    assert.ok(legs.trunk.packetsSent > 100, `trunk leg sent ${legs.trunk.packetsSent}`);
    assert.ok(
      legs.trunk.packetsReceived > 100,
      `trunk leg received ${legs.trunk.packetsReceived} (SIPp's pcap)`,
    );
    assert.ok(legs.web.packetsReceived > 100, `WebRTC leg received ${legs.web.packetsReceived}`);
    assert.equal(legs.web.webrtc?.srtpRejected, 0);

    const sippResult = await sipp.done;
    assert.equal(sippResult.exitCode, 0, sippResult.output.slice(-1500));
    assert.deepEqual(app.errors, []);

    const recording = app.calls[0]!.recording;
    const left = soxStat(recording, 1);
    const right = soxStat(recording, 2);
    assert.ok(left.seconds >= 3, `recording length ${left.seconds} s\n${left.text}`);
    t.diagnostic(
      `browser: sent ${outbound.packetsSent}, received ${inbound.packetsReceived}, totalAudioEnergy ${inbound.totalAudioEnergy}, analyser peak ${heard.peak.toFixed(3)}; ` +
        `recording ${left.seconds} s, RMS left ${left.rms} right ${right.rms}; ` +
        `WebRTC leg received ${legs.web.packetsReceived} sent ${legs.web.packetsSent}, trunk leg received ${legs.trunk.packetsReceived} sent ${legs.trunk.packetsSent}`,
    );
    assert.ok(left.rms > 0.01, `left (browser) RMS ${left.rms}\n${left.text}`);
    assert.ok(
      right.rms > 0.01,
      `right (what the browser hears: SIPp's pcap) RMS ${right.rms}\n${right.text}`,
    );
  });
});
