/**
 * Done-when test of packages/media against a real peer: SIPp's `uac_pcap` scenario
 * (scenarios/uac-pcap.xml, adapted from `sipp -sd uac_pcap`) calls a small UAS built on
 * @uketsuke/sip + MediaEngine (support/pcap-test-app.ts). SIPp offers PCMA + RFC 2833
 * events, replays g711a.pcap (caller speech) and dtmf_2833_1.pcap (digit 1) from its
 * media port, and echoes every RTP packet it receives there (-rtp_echo).
 *
 * Checked, each against the pcaps themselves rather than fixed numbers:
 *  - we answer PCMA (the only audio codec offered);
 *  - the engine reports exactly the digit the pcap carries, with its duration;
 *  - SIPp received our RTP: what it echoed came back with our SSRC and was dropped as a
 *    loop (RFC 3550 §8.2), one for every packet we sent (almost: the last ones may still
 *    be on the way at BYE);
 *  - the recording's caller channel holds the caller's audio: `sox stat` of the left
 *    channel's voiced part (every silence removed) has the length and RMS amplitude of
 *    the pcap audio's voiced part (the pcap's own payload, decoded by sox as A-law), and
 *    the other channel holds our prompt (the same of the prompt's cached G.711 file).
 *    Comparing voiced parts makes the check blind to silence a stall inserts (a recording
 *    keeps wall-clock time: what we did not send during a stall is silence there) but not
 *    to audio lost.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { killAllSipp, runSipp, SIPP_SKIP } from '../sip/support/sipp.ts';
import { readPcapRtp } from './support/pcap-reader.ts';
import { PcapTestApp } from './support/pcap-test-app.ts';

const PCAP_DIR = '/usr/share/sip-tester';
const AUDIO_PCAP = join(PCAP_DIR, 'g711a.pcap');
const DTMF_PCAP = join(PCAP_DIR, 'dtmf_2833_1.pcap');
const SCENARIO = resolve(import.meta.dirname, 'scenarios/uac-pcap.xml');
const SOX = '/usr/bin/sox';
/** Fixed ports from this suite's range (RTP 36300–36499). */
const ENGINE_RTP_PORTS = '36300-36399';
const SIPP_MEDIA_PORT = 36400;

const SKIP: string | undefined =
  SIPP_SKIP ??
  (existsSync(SOX) ? undefined : 'sox not installed (apt-get install sox)') ??
  (existsSync(AUDIO_PCAP) && existsSync(DTMF_PCAP)
    ? undefined
    : `SIPp sample pcaps missing in ${PCAP_DIR} (apt-get install sip-tester)`);

interface SoxStat {
  lengthSeconds: number;
  rms: number;
}

/**
 * `sox <input…> -n [silence] stat`: length and RMS amplitude. With `voiced`, every
 * silence (below 0.5 % for 20 ms: before, after and within the audio) is removed first,
 * so a recording that also covers the time around the audio, or has gaps where the
 * machine stalled, compares with the audio itself.
 */
function soxStat(input: string[], voiced: boolean): SoxStat {
  const effects = voiced ? ['silence', '1', '0.02', '0.5%', '-1', '0.02', '0.5%'] : [];
  const r = spawnSync(SOX, [...input, '-n', ...effects, 'stat'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `sox ${input.join(' ')} failed: ${r.stderr}`);
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(-?[\\d.]+)`, 'm').exec(r.stderr);
    assert.ok(m, `sox stat printed no "${name}":\n${r.stderr}`);
    return Number(m[1]);
  };
  return { lengthSeconds: field('Length \\(seconds\\)'), rms: field('RMS\\s+amplitude') };
}

/** One channel of a stereo WAV as its own file (sox remix). */
function channel(wav: string, n: 1 | 2, out: string): string {
  const r = spawnSync(SOX, [wav, '-c', '1', out, 'remix', String(n)], { encoding: 'utf8' });
  assert.equal(r.status, 0, `sox remix failed: ${r.stderr}`);
  return out;
}

function assertNear(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance * expected,
    `${what}: ${actual} is not within ±${tolerance * 100} % of ${expected}`,
  );
}

describe('SIPp uac_pcap → MediaEngine (PCMA, RFC 2833, prompt, recording)', {
  timeout: 120_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'uk-uac-pcap-'));
  let app: PcapTestApp | undefined;
  after(async () => {
    killAllSipp();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('answers PCMA, hears digit and speech, SIPp hears our prompt', {
    skip: SKIP,
    timeout: 90_000,
  }, async () => {
    app = await PcapTestApp.start({ dir, rtpPorts: ENGINE_RTP_PORTS, prompt: 'goodbye' });
    const sipp = await runSipp({
      remote: `127.0.0.1:${app.sipPort}`,
      args: [
        '-sf',
        SCENARIO,
        '-m',
        '1',
        '-mi',
        '127.0.0.1',
        '-mp',
        String(SIPP_MEDIA_PORT),
        '-rtp_echo',
      ],
      timeoutMs: 60_000,
    });
    const detail = `exit ${sipp.exitCode}\n${sipp.screen.slice(-2000)}\n${sipp.output.slice(-1500)}`;
    assert.equal(sipp.exitCode, 0, detail);
    assert.equal(sipp.successful, 1, detail);
    assert.equal(app.calls.length, 1);
    const call = app.calls[0]!;
    await call.done;
    assert.equal(call.error, undefined, String(call.error));

    // PCMA: the only audio codec SIPp offered (payload type 8).
    assert.equal(call.codec, 'PCMA');
    assert.match(call.answer, /^m=audio \d+ RTP\/AVP 8 101\r$/m);
    // Latched to SIPp's media port, where both pcaps are replayed from.
    assert.deepEqual(call.latched, [{ address: '127.0.0.1', port: SIPP_MEDIA_PORT }]);

    // The digit, and its duration, are whatever the pcap's final event packet says.
    const events = readPcapRtp(DTMF_PCAP).filter((p) => p.payload.length >= 4);
    const end = events.filter((p) => (p.payload[1]! & 0x80) !== 0).at(-1)!;
    const pcapDigit = '0123456789*#'[end.payload[0]!];
    const pcapDurationMs = ((end.payload[2]! << 8) | end.payload[3]!) / 8;
    assert.deepEqual(call.digits, [
      { digit: pcapDigit, source: 'rfc4733', durationMs: pcapDurationMs },
    ]);
    assert.equal(pcapDigit, '1'); // the pcap is named for it: a sanity check of the reader

    // SIPp received our RTP: it echoed it, and the echoes came back with our SSRC.
    const stats = call.stats!;
    assert.ok(stats.packetsSent > 100, `we sent ${stats.packetsSent} packets`);
    assert.ok(
      stats.discarded >= stats.packetsSent * 0.9 && stats.discarded <= stats.packetsSent,
      `echoed back ${stats.discarded} of ${stats.packetsSent}`,
    );
    assert.deepEqual(await call.play, { reason: 'done' });

    // The caller channel holds the pcap's speech: same length and loudness per sox.
    const audio = readPcapRtp(AUDIO_PCAP).filter((p) => p.payloadType === 8);
    const rawPcap = join(dir, 'pcap-audio.al');
    writeFileSync(rawPcap, Buffer.concat(audio.map((p) => p.payload)));
    const pcapAudio = soxStat(['-t', 'al', '-r', '8000', '-c', '1', rawPcap], true);
    const left = channel(call.recording, 1, join(dir, 'left.wav'));
    const caller = soxStat([left], true);
    assertNear(caller.lengthSeconds, pcapAudio.lengthSeconds, 0.05, 'caller speech length (s)');
    assertNear(caller.rms, pcapAudio.rms, 0.15, 'caller speech RMS amplitude');
    const whole = soxStat([call.recording], false);
    assert.ok(
      whole.lengthSeconds >=
        soxStat(['-t', 'al', '-r', '8000', '-c', '1', rawPcap], false).lengthSeconds,
      'the recording covers at least the pcap audio',
    );

    // The other channel is what SIPp heard from us: the prompt's cached A-law audio.
    const cached = readdirSync(join(dir, 'prompts', 'pcma')).filter((f) =>
      f.startsWith('goodbye-'),
    );
    assert.equal(cached.length, 1, `cached prompt files: ${cached.join(', ')}`);
    const prompt = soxStat(
      ['-t', 'al', '-r', '8000', '-c', '1', join(dir, 'prompts', 'pcma', cached[0]!)],
      true,
    );
    const right = soxStat([channel(call.recording, 2, join(dir, 'right.wav'))], true);
    assertNear(right.lengthSeconds, prompt.lengthSeconds, 0.1, 'prompt length (s)');
    assertNear(right.rms, prompt.rms, 0.15, 'prompt RMS amplitude');
  });
});
