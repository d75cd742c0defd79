/**
 * ICE-lite checks (RFC 8445 §7.3, RFC 5389 §10.1.2) and the browser offer → answer
 * (RFC 8829, RFC 8842, RFC 9143) without a network.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  answerWebRtcOffer,
  IceLiteAgent,
  integrityValid,
  isMediaError,
  MediaErrorCode,
  parseStun,
  StunAttr,
  StunResponseBuilder,
  StunType,
} from '../src/index.ts';
import { certificateMatches } from '../src/webrtc/dtls-certificate.ts';

function check(username: string, password: string, nominate = true): Buffer {
  const b = new StunResponseBuilder(StunType.bindingRequest, randomBytes(12))
    .attribute(StunAttr.username, Buffer.from(username))
    .attribute(StunAttr.iceControlling, randomBytes(8));
  if (nominate) b.attribute(StunAttr.useCandidate, Buffer.alloc(0));
  return b.build(password);
}

describe('ICE-lite agent', () => {
  test('a valid check is answered with XOR-MAPPED-ADDRESS and nominates the pair', () => {
    const agent = new IceLiteAgent();
    agent.setRemoteCredentials('4521'); // all digits: must still match (string compare)
    const r = agent.handle(
      check(`${agent.localUfrag}:4521`, agent.localPassword),
      '127.0.0.1',
      40000,
    );
    assert.ok(r.response);
    assert.equal(r.nominated, true);
    assert.equal(r.accepted, true); // consent (RFC 7675) for the transport
    assert.deepEqual(agent.selected, { address: '127.0.0.1', port: 40000 });
    assert.equal(agent.isValidSource('127.0.0.1', 40000), true);
    assert.equal(agent.isValidSource('127.0.0.1', 40001), false);
    const m = parseStun(r.response)!;
    assert.equal(m.type, StunType.bindingSuccess);
    assert.ok(integrityValid(m, agent.localPassword));
    const x = m.attributes.get(StunAttr.xorMappedAddress)!;
    assert.equal(x.readUInt16BE(2) ^ 0x2112, 40000);
    assert.deepEqual(
      [...x.subarray(4, 8)].map((b, i) => b ^ [0x21, 0x12, 0xa4, 0x42][i]!),
      [127, 0, 0, 1],
    );
  });

  test('wrong password → 401, no USERNAME → 400, other ufrag → 401; nothing selected', () => {
    const agent = new IceLiteAgent();
    agent.setRemoteCredentials('abcd');
    const errorCode = (b: Buffer | undefined) => {
      const v = parseStun(b!)!.attributes.get(StunAttr.errorCode)!;
      return v[2]! * 100 + v[3]!;
    };
    const wrongPwd = agent.handle(
      check(`${agent.localUfrag}:abcd`, 'x'.repeat(24)),
      '127.0.0.1',
      1,
    );
    assert.equal(errorCode(wrongPwd.response), 401);
    assert.equal(wrongPwd.accepted, false);
    const otherUfrag = agent.handle(
      check(`${agent.localUfrag}:zzzz`, agent.localPassword),
      '127.0.0.1',
      1,
    );
    assert.equal(errorCode(otherUfrag.response), 401);
    const noUser = new StunResponseBuilder(StunType.bindingRequest, randomBytes(12)).build(
      agent.localPassword,
    );
    assert.equal(errorCode(agent.handle(noUser, '127.0.0.1', 1).response), 400);
    assert.equal(agent.selected, undefined);
    assert.equal(agent.checksRefused, 3);
    // Garbage and a corrupted FINGERPRINT are dropped silently.
    assert.equal(
      agent.handle(Buffer.from('not stun at all, really'), '127.0.0.1', 1).response,
      undefined,
    );
    const bad = check(`${agent.localUfrag}:abcd`, agent.localPassword);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    assert.equal(agent.handle(bad, '127.0.0.1', 1).response, undefined);
  });
});

const offer = (extra = '') =>
  `${[
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126',
    'c=IN IP4 0.0.0.0',
    'a=ice-ufrag:1234',
    'a=ice-pwd:abcdefghijklmnopqrstuvwx',
    'a=fingerprint:sha-256 AA:BB',
    'a=setup:actpass',
    'a=mid:0',
    'a=sendrecv',
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:126 telephone-event/8000',
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'c=IN IP4 0.0.0.0',
    'a=mid:1',
    'a=rtpmap:96 VP8/90000',
    extra,
  ]
    .filter((l) => l !== '')
    .join('\r\n')}\r\n`;

const local = {
  address: '127.0.0.1',
  port: 36150,
  iceUfrag: 'uFrag123',
  icePwd: 'p'.repeat(24),
  fingerprint: { algorithm: 'sha-256', value: '01:02' },
  ssrc: 1234,
  cname: 'c',
  sessionId: 7,
};

describe('browser offer → answer', () => {
  test('PCMU + telephone-event, ice-lite, passive, video rejected, BUNDLE narrowed', () => {
    const r = answerWebRtcOffer(offer(), local);
    assert.ok(r.ok);
    const sdp = r.sdp;
    assert.match(sdp, /^a=ice-lite\r$/m);
    assert.match(sdp, /^a=group:BUNDLE 0\r$/m);
    assert.match(sdp, /^m=audio 36150 UDP\/TLS\/RTP\/SAVPF 0 126\r$/m);
    assert.match(sdp, /^m=video 0 UDP\/TLS\/RTP\/SAVPF 96\r$/m);
    assert.match(sdp, /^a=mid:1\r$/m);
    assert.match(sdp, /^a=setup:passive\r$/m);
    assert.match(sdp, /^a=sendrecv\r$/m); // c=0.0.0.0 is JSEP's placeholder, not hold
    assert.match(sdp, /^a=candidate:1 1 udp 2130706431 127\.0\.0\.1 36150 typ host\r$/m);
    assert.match(sdp, /^a=ssrc:1234 cname:c\r$/m);
    assert.equal(r.remote.iceUfrag, '1234'); // all digits, still a string
    assert.deepEqual(r.remote.fingerprints, [{ algorithm: 'sha-256', value: 'AA:BB' }]);
    assert.equal(r.audio.codec, 'PCMU');
    assert.equal(r.audio.telephoneEventPt, 126);
    assert.equal(r.audio.rtcpMux, true);
  });

  test('refusals: no rtcp-mux, setup:passive, only plain RTP/AVP', () => {
    const noMux = answerWebRtcOffer(offer().replace('a=rtcp-mux\r\n', ''), local);
    assert.ok(!noMux.ok && isMediaError(noMux.error, MediaErrorCode.SdpNoAudio));
    const passive = answerWebRtcOffer(offer().replace('a=setup:actpass', 'a=setup:passive'), local);
    assert.ok(!passive.ok && isMediaError(passive.error, MediaErrorCode.SdpMalformed));
    const plain = answerWebRtcOffer(offer().replaceAll('UDP/TLS/RTP/SAVPF', 'RTP/AVP'), local);
    assert.ok(!plain.ok && isMediaError(plain.error, MediaErrorCode.SdpNoAudio));
  });
});

test('certificate fingerprints: any signalled hash, case-insensitive hex', () => {
  const der = randomBytes(300);
  const hex = (alg: string) =>
    createHash(alg).update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
  assert.ok(certificateMatches(der, [{ algorithm: 'sha-256', value: hex('sha256') }]));
  assert.ok(certificateMatches(der, [{ algorithm: 'sha-1', value: hex('sha1').toLowerCase() }]));
  assert.ok(!certificateMatches(der, [{ algorithm: 'sha-256', value: hex('sha1') }]));
  assert.ok(!certificateMatches(der, [{ algorithm: 'md5', value: hex('md5') }]));
});
