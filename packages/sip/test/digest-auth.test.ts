import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  computeDigestResponse,
  digestHa1,
  formatAuthHeader,
  parseAuthHeader,
  parseMessage,
  SipParseError,
  verifyDigest,
} from '../src/index.ts';
import { RFC4475_SKIP, readVector } from './support/rfc4475-dir.ts';

test('RFC 2617 §3.5 MD5 example', () => {
  const response = computeDigestResponse({
    username: 'Mufasa',
    realm: 'testrealm@host.com',
    secret: { password: 'Circle Of Life' },
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    method: 'GET',
    uri: '/dir/index.html',
    qop: 'auth',
    nc: '00000001',
    cnonce: '0a4f113b',
  });
  assert.equal(response, '6629fae49393a05397450978507c4ef1');
});

test('RFC 7616 §3.9.1 SHA-256 example', () => {
  const response = computeDigestResponse({
    algorithm: 'SHA-256',
    username: 'Mufasa',
    realm: 'http-auth@example.org',
    secret: { password: 'Circle of Life' },
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    method: 'GET',
    uri: '/dir/index.html',
    qop: 'auth',
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  });
  assert.equal(response, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
});

test('parse, format and verify SIP Digest credentials (RFC 3261 §22.4)', () => {
  const challenge = parseAuthHeader(
    'Digest realm="uketsuke", nonce="abc123", qop="auth", algorithm=MD5, opaque="o1"',
    'WWW-Authenticate',
  );
  assert.equal(challenge.scheme, 'digest');
  assert.equal(challenge.params.get('qop'), 'auth');
  const uri = 'sip:127.0.0.1';
  const response = computeDigestResponse({
    username: 'op1',
    realm: 'uketsuke',
    secret: { password: 'op1-demo-pass' },
    nonce: 'abc123',
    method: 'REGISTER',
    uri,
    qop: 'auth',
    nc: '00000001',
    cnonce: 'c0ffee',
  });
  const creds = {
    scheme: 'digest',
    params: new Map([
      ['username', 'op1'],
      ['realm', 'uketsuke'],
      ['nonce', 'abc123'],
      ['uri', uri],
      ['response', response],
      ['algorithm', 'MD5'],
      ['qop', 'auth'],
      ['nc', '00000001'],
      ['cnonce', 'c0ffee'],
    ]),
  };
  const text = formatAuthHeader(creds, 'credentials');
  assert.match(
    text,
    /^Digest username="op1", realm="uketsuke", .*algorithm=MD5, qop=auth, nc=00000001/,
  );
  const parsed = parseAuthHeader(text);
  assert.ok(verifyDigest(parsed, { method: 'REGISTER', secret: { password: 'op1-demo-pass' } }));
  assert.ok(
    verifyDigest(parsed, {
      method: 'REGISTER',
      secret: { ha1: digestHa1('MD5', 'op1', 'uketsuke', 'op1-demo-pass') },
    }),
  );
  assert.ok(!verifyDigest(parsed, { method: 'REGISTER', secret: { password: 'wrong' } }));
  assert.ok(!verifyDigest(parsed, { method: 'INVITE', secret: { password: 'op1-demo-pass' } }));
  parsed.params.delete('cnonce');
  assert.ok(!verifyDigest(parsed, { method: 'REGISTER', secret: { password: 'op1-demo-pass' } }));
  assert.throws(() => parseAuthHeader('Digest realm="x", nonce="unterminated'), SipParseError);
  assert.throws(() => parseAuthHeader(''), SipParseError);
});

test('an unknown scheme is readable and never verifies (RFC 4475 regaut01)', {
  skip: RFC4475_SKIP,
}, () => {
  const m = parseMessage(readVector('regaut01'));
  const auth = parseAuthHeader(m.headers.get('authorization') ?? '');
  assert.equal(auth.scheme, 'nooneknowsthisscheme');
  assert.equal(auth.params.get('opaque-data'), 'here');
  assert.equal(verifyDigest(auth, { method: 'REGISTER', secret: { password: 'x' } }), false);
});
