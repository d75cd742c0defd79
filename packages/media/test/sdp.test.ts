import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'sdp-transform';
import {
  answerAudioOffer,
  answerDirection,
  buildAudioOffer,
  chooseCodec,
  formatEventList,
  type LocalAudioOptions,
  parseEventList,
  parseSdp,
  readAudioAnswer,
} from '../src/index.ts';

const crlf = (lines: string[]) => `${lines.join('\r\n')}\r\n`;
const local: LocalAudioOptions = {
  address: '192.0.2.1',
  port: 20000,
  sessionId: 42,
  sessionVersion: 1,
};

/** Linphone 5.x style: opus/speex first, three telephone-event clock rates, video line. */
const LINPHONE_OFFER = crlf([
  'v=0',
  'o=alice 3044 1520 IN IP4 192.168.1.10',
  's=Talk',
  'c=IN IP4 192.168.1.10',
  't=0 0',
  'a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics',
  'a=record:off',
  'm=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100',
  'a=rtpmap:96 opus/48000/2',
  'a=fmtp:96 useinbandfec=1',
  'a=rtpmap:97 speex/16000',
  'a=fmtp:97 vbr=on',
  'a=rtpmap:98 speex/8000',
  'a=fmtp:98 vbr=on',
  'a=fmtp:18 annexb=yes',
  'a=rtpmap:101 telephone-event/48000',
  'a=rtpmap:99 telephone-event/16000',
  'a=rtpmap:100 telephone-event/8000',
  'a=rtcp-fb:* trr-int 1000',
  'a=rtcp-fb:* ccm tmmbr',
  'm=video 9078 RTP/AVP 96 97',
  'a=rtpmap:96 VP8/90000',
  'a=rtpmap:97 H264/90000',
  'a=fmtp:97 profile-level-id=42801F',
]);

/** baresip style: plain G.711 + DTMF, explicit ptime and direction, rtcp-rsize. */
const BARESIP_OFFER = crlf([
  'v=0',
  'o=- 1653478410 1653478411 IN IP4 10.0.0.5',
  's=-',
  'c=IN IP4 10.0.0.5',
  't=0 0',
  'm=audio 10138 RTP/AVP 8 0 101',
  'b=AS:88',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=ptime:20',
  'a=sendrecv',
  'a=rtcp-rsize',
]);

/** A Japanese carrier trunk: PCMA only, no rtpmap for the static PT, ptime 20. */
const CARRIER_PCMA_OFFER = crlf([
  'v=0',
  'o=- 0 0 IN IP4 203.0.113.7',
  's=-',
  'c=IN IP4 203.0.113.7',
  't=0 0',
  'm=audio 30000 RTP/AVP 8 101',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15,66,70',
  'a=ptime:20',
]);

/** Chrome WebRTC offer: DTLS-SRTP, BUNDLE, rtcp-mux, opus first but PCMU offered. */
const CHROME_OFFER = crlf([
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:Wh0p',
  'a=ice-pwd:e4f1c0fV1nJ6hXlUF4mhYd7K',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CC:87:32:BE:DD:8C:66:A5:8E:50:55:3C:41:B6:9F:5A:76:0D:9B:AB',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=sendrecv',
  'a=msid:- 9d4c1a0f-0b2d-4bd0-9c0e-4c7c0b8a5a21',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:126 telephone-event/8000',
  'a=ssrc:3735928559 cname:x4n0Xq2Zb3mKp1Yv',
]);

describe('SDP offer (RFC 3264 §5)', () => {
  test('offer lists PCMU, PCMA and telephone-event 0-16 with ptime and direction', () => {
    const sdp = buildAudioOffer({ ...local, ptimeMs: 30, direction: 'sendonly' });
    assert.ok(sdp.includes('\r\n'));
    const s = parse(sdp);
    assert.equal(s.origin.address, '192.0.2.1');
    assert.equal(s.connection?.ip, '192.0.2.1');
    const m = s.media[0]!;
    assert.equal(m.port, 20000);
    assert.equal(m.protocol, 'RTP/AVP');
    assert.equal(m.payloads, '0 8 101');
    assert.deepEqual(
      m.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate}`),
      ['0 PCMU/8000', '8 PCMA/8000', '101 telephone-event/8000'],
    );
    assert.deepEqual(m.fmtp, [{ payload: 101, config: '0-16' }]);
    assert.equal(m.ptime, 30);
    assert.equal(m.direction, 'sendonly');
  });

  test('IPv6, PCMA-only, no DTMF, validation', () => {
    const s = parse(
      buildAudioOffer({ address: '::1', port: 4000, codecs: ['PCMA'], telephoneEventPt: false }),
    );
    assert.equal(s.connection?.version, 6);
    assert.equal(String(s.media[0]?.payloads), '8');
    assert.throws(() => buildAudioOffer({ ...local, port: 70000 }), {
      code: 'MEDIA_INVALID_ARGUMENT',
    });
    assert.throws(() => buildAudioOffer({ ...local, telephoneEventPt: 8 }), {
      code: 'MEDIA_INVALID_ARGUMENT',
    });
  });
});

describe('SDP answer (RFC 3264 §6)', () => {
  test('Linphone: PCMU by our preference, telephone-event/8000 PT kept, video rejected', () => {
    const r = answerAudioOffer(LINPHONE_OFFER, local);
    assert.ok(r.ok);
    assert.equal(r.audio.codec, 'PCMU');
    assert.equal(r.audio.payloadType, 0);
    assert.equal(r.audio.telephoneEventPt, 100);
    assert.equal(r.audio.remoteAddress, '192.168.1.10');
    assert.equal(r.audio.remotePort, 7078);
    assert.equal(r.audio.remoteRtcpPort, 7079);
    assert.equal(r.audio.direction, 'sendrecv');
    const s = parse(r.sdp);
    assert.equal(s.media.length, 2);
    assert.equal(s.media[0]?.payloads, '0 100');
    assert.deepEqual(s.media[0]?.fmtp, [{ payload: 100, config: '0-15' }]);
    assert.equal(s.media[1]?.type, 'video');
    assert.equal(s.media[1]?.port, 0);
  });

  test('baresip: PCMU chosen although PCMA is listed first; PCMA when we prefer it', () => {
    const r = answerAudioOffer(BARESIP_OFFER, local);
    assert.ok(r.ok);
    assert.equal(r.audio.codec, 'PCMU');
    assert.equal(r.audio.ptimeMs, 20);
    const a = answerAudioOffer(BARESIP_OFFER, { ...local, codecs: ['PCMA', 'PCMU'] });
    assert.ok(a.ok);
    assert.equal(a.audio.codec, 'PCMA');
    assert.equal(a.audio.payloadType, 8);
  });

  test('carrier PCMA only, static PT without rtpmap, events narrowed to 0-16', () => {
    const r = answerAudioOffer(CARRIER_PCMA_OFFER, local);
    assert.ok(r.ok);
    assert.equal(r.audio.codec, 'PCMA');
    assert.equal(r.audio.telephoneEventPt, 101);
    const m = parse(r.sdp).media[0]!;
    assert.equal(m.payloads, '8 101');
    assert.deepEqual(m.fmtp, [{ payload: 101, config: '0-15' }]);
    assert.ok(r.sdp.includes('a=rtpmap:8 PCMA/8000'));
    const noPcma = answerAudioOffer(CARRIER_PCMA_OFFER, { ...local, codecs: ['PCMU'] });
    assert.equal(noPcma.ok, false);
    if (!noPcma.ok) assert.equal(noPcma.error.code, 'MEDIA_SDP_NO_COMMON_CODEC');
  });

  test('Chrome WebRTC: PCMU is selectable, but SAVPF is not ours to answer here', () => {
    const offer = parseSdp(CHROME_OFFER);
    assert.deepEqual(chooseCodec(offer.media[0]!, ['PCMU', 'PCMA']), { law: 'PCMU', pt: 0 });
    const r = answerAudioOffer(CHROME_OFFER, local);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'MEDIA_SDP_NO_AUDIO');
  });

  test('hold and directions (§6.1, §8.4)', () => {
    const withDir = (dir: string) => BARESIP_OFFER.replace('a=sendrecv', `a=${dir}`);
    const dirOf = (sdp: string, opts = local) => {
      const r = answerAudioOffer(sdp, opts);
      assert.ok(r.ok);
      assert.equal(parse(r.sdp).media[0]?.direction, r.audio.direction);
      return r.audio.direction;
    };
    assert.equal(dirOf(withDir('sendonly')), 'recvonly');
    assert.equal(dirOf(withDir('recvonly')), 'sendonly');
    assert.equal(dirOf(withDir('inactive')), 'inactive');
    assert.equal(dirOf(BARESIP_OFFER, { ...local, direction: 'sendonly' }), 'sendonly');
    assert.equal(dirOf(withDir('sendonly'), { ...local, direction: 'sendonly' }), 'inactive');
    assert.equal(dirOf(BARESIP_OFFER.replaceAll('IN IP4 10.0.0.5', 'IN IP4 0.0.0.0')), 'recvonly');
    assert.equal(answerDirection('sendrecv'), 'sendrecv');
  });

  test('ptime 30 honoured; unsupported codecs only → 488-able error; garbage → malformed', () => {
    const r = answerAudioOffer(BARESIP_OFFER.replace('a=ptime:20', 'a=ptime:30'), local);
    assert.ok(r.ok);
    assert.equal(r.audio.ptimeMs, 30);
    assert.equal(parse(r.sdp).media[0]?.ptime, 30);
    const g729 = crlf([
      'v=0',
      'o=- 1 1 IN IP4 10.1.1.1',
      's=-',
      'c=IN IP4 10.1.1.1',
      't=0 0',
      'm=audio 5004 RTP/AVP 18 101',
      'a=rtpmap:18 G729/8000',
      'a=rtpmap:101 telephone-event/8000',
    ]);
    const bad = answerAudioOffer(g729, local);
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.error.code, 'MEDIA_SDP_NO_COMMON_CODEC');
    const junk = answerAudioOffer('hello', local);
    assert.equal(junk.ok, false);
    if (!junk.ok) assert.equal(junk.error.code, 'MEDIA_SDP_MALFORMED');
  });

  test('second audio stream rejected, first accepted; a=rtcp honoured', () => {
    const two =
      BARESIP_OFFER.replace('a=rtcp-rsize\r\n', 'a=rtcp:10200\r\n') +
      crlf(['m=audio 10140 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000']);
    const r = answerAudioOffer(two, local);
    assert.ok(r.ok);
    assert.equal(r.audio.remoteRtcpPort, 10200);
    const s = parse(r.sdp);
    assert.equal(s.media[0]?.port, 20000);
    assert.equal(s.media[1]?.port, 0);
  });

  test('reading the answer to our offer', () => {
    const offer = buildAudioOffer(local);
    const peer: LocalAudioOptions = {
      address: '198.51.100.9',
      port: 40000,
      codecs: ['PCMA', 'PCMU'],
      direction: 'recvonly',
    };
    const answered = answerAudioOffer(offer, peer);
    assert.ok(answered.ok);
    const r = readAudioAnswer(answered.sdp, local);
    assert.ok(r.ok);
    assert.equal(r.audio.codec, 'PCMA');
    assert.equal(r.audio.telephoneEventPt, 101);
    assert.equal(r.audio.remoteAddress, '198.51.100.9');
    assert.equal(r.audio.remotePort, 40000);
    assert.equal(r.audio.direction, 'sendonly');
  });

  test('event lists', () => {
    assert.deepEqual([...parseEventList('0-3, 16,70-71')], [0, 1, 2, 3, 16, 70, 71]);
    assert.equal(parseEventList(undefined).size, 16);
    assert.equal(formatEventList([5, 0, 1, 2, 16, 3]), '0-3,5,16');
  });
});
