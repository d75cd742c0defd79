/**
 * RFC 3262 against SIPp over real UDP on 127.0.0.1: SIPp's custom UAC (prack-uac.xml)
 * requires 100rel, PRACKs our reliable 180 using its RSeq, and the call completes. Our
 * endpoint answers only after the PRACK, so a missing or mismatched PRACK fails the run.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type SessionEnd, SipEndpoint } from '@uketsuke/sip';
import { killAllSipp, runSipp, SCENARIOS, SIPP_SKIP } from './support/sipp.ts';

const SDP =
  'v=0\r\no=uk 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 36000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';

describe('SIPp PRACK (RFC 3262) against our UAS', { timeout: 120_000 }, () => {
  let ep: SipEndpoint;
  const ends: SessionEnd[] = [];
  let pracks = 0;
  before(async () => {
    if (SIPP_SKIP !== undefined) return;
    ep = await SipEndpoint.listenUdp({ host: '127.0.0.1', port: 0 });
    ep.on('invite', (call) => {
      call.once('ended', (e) => ends.push(e));
      call.on('prack', () => {
        pracks++;
        call.accept(SDP);
      });
      call.ring({ reliable: true });
    });
  });
  after(async () => {
    killAllSipp();
    await ep?.close();
  });

  test('5 calls: reliable 180, PRACK, 200, ACK, BYE; zero failed', {
    skip: SIPP_SKIP,
    timeout: 90_000,
  }, async () => {
    const r = await runSipp({
      remote: `127.0.0.1:${ep.local.port}`,
      args: ['-sf', join(SCENARIOS, 'prack-uac.xml'), '-s', 'service', '-m', '5', '-r', '5'],
    });
    const detail = `exit ${r.exitCode}\n${r.screen.slice(-3000)}\n${r.output.slice(-2000)}`;
    assert.equal(r.exitCode, 0, detail);
    assert.equal(r.successful, 5, detail);
    assert.equal(r.failed, 0, detail);
    assert.equal(pracks, 5);
    assert.deepEqual(
      ends.map((e) => `${e.reason}/${e.by}`),
      Array(5).fill('bye/remote'),
    );
  });
});
