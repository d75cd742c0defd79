/**
 * Expected outcome of every RFC 4475 vector, derived from the RFC (section numbers are
 * RFC 4475's) and ../shared/testdata/rfc4475/README.md, plus detailed assertions on
 * what the parser must extract from the valid ones.
 */
import assert from 'node:assert/strict';
import {
  hasRfc3261Branch,
  SipErrorCode,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  tagOf,
  viaBranch,
} from '../../src/index.ts';

export type Outcome =
  /** parses and is accepted for processing */
  | { verdict: 'accept' }
  /** answered with this status */
  | { verdict: 'reject'; status: number; reasonIncludes?: string }
  /** silently discarded */
  | { verdict: 'drop' };

export interface Case {
  /** RFC 4475 section. */
  section: string;
  /** 'ok' when parseMessage succeeds, else the SipErrorCode it throws. */
  parse: 'ok' | SipErrorCode;
  outcome: Outcome;
  /** Extra assertions on the parsed message. */
  check?: (msg: SipMessage) => void;
}

const accept: Outcome = { verdict: 'accept' };
const reject = (status: number, reasonIncludes?: string): Outcome =>
  reasonIncludes === undefined
    ? { verdict: 'reject', status }
    : { verdict: 'reject', status, reasonIncludes };
const drop: Outcome = { verdict: 'drop' };

const req = (m: SipMessage): SipRequest => {
  assert.equal(m.kind, 'request');
  return m as SipRequest;
};
const res = (m: SipMessage): SipResponse => {
  assert.equal(m.kind, 'response');
  return m as SipResponse;
};

export const CASES: Record<string, Case> = {
  // §3.1.1 valid messages
  wsinv: {
    section: '3.1.1.1',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      const r = req(m);
      assert.equal(r.method, 'INVITE');
      assert.equal(tagOf(r.to), '1918181833n');
      assert.equal(r.from.displayName, 'J Rosenberg \\"');
      assert.equal(tagOf(r.from), '98asjd8');
      assert.equal(r.maxForwards, 68);
      assert.deepEqual(r.cseq, { seq: 9, method: 'INVITE' });
      assert.equal(r.vias.length, 3);
      assert.equal(r.vias[0]!.transport, 'UDP');
      assert.equal(viaBranch(r.vias[1]!), 'z9hG4bK9ikj8');
      assert.equal(viaBranch(r.vias[2]!), 'z9hG4bK30239');
      assert.equal(
        r.headers.get('NewFangledHeader'),
        'newfangled value continued newfangled value',
      );
      assert.equal(r.headers.get('subject'), '');
      assert.equal(r.headers.get('UnknownHeaderWithUnusualValue'), ';;,,;;,;');
      assert.equal(r.routes[0]!.uri.kind, 'sip');
      assert.ok(!r.contacts.star);
      if (!r.contacts.star) {
        const c = r.contacts.contacts[0]!;
        assert.equal(c.displayName, 'Quoted string ""');
        assert.equal(c.params.get('newparam'), 'newvalue');
        assert.equal(c.params.get('secondparam'), null);
        assert.equal(c.params.get('q'), '0.33');
      }
      assert.equal(r.body.length, 150);
    },
  },
  intmeth: {
    section: '3.1.1.2',
    parse: 'ok',
    outcome: reject(501),
    check: (m) => {
      const r = req(m);
      assert.equal(r.method, "!interesting-Method0123456789_*+`.%indeed'~");
      const uri = r.uri;
      assert.equal(uri.kind, 'sip');
      if (uri.kind === 'sip') {
        assert.equal(uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
        assert.equal(uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
        assert.equal(uri.host, 'example.com');
      }
      assert.equal(r.to.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
      assert.equal(r.from.displayName, "token1~` token2'+_ token3*%!.-");
      assert.equal(tagOf(r.from), "_token~1'+`*%!-.");
      assert.equal(r.callId, 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
      assert.equal(r.cseq.method, r.method);
      assert.equal(r.headers.get("extensionHeader-!.%*+_`'~"), '\u{FEFF}大停電');
    },
  },
  esc01: {
    section: '3.1.1.3',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      const r = req(m);
      const uri = r.uri;
      assert.ok(
        uri.kind === 'sip' && uri.user === 'sips:user@example.com' && uri.host === 'example.net',
      );
      const to = r.to.uri;
      assert.ok(to.kind === 'sip' && to.user === 'user');
      const from = r.from.uri;
      assert.ok(from.kind === 'sip' && from.user === 'I have spaces');
      assert.ok(!r.contacts.star);
      if (!r.contacts.star) {
        const c = r.contacts.contacts[0]!.uri;
        assert.ok(c.kind === 'sip');
        assert.equal(c.user, 'caller');
        assert.equal(c.params.get('lr'), null);
        assert.equal(c.params.get('name'), 'value%41');
      }
      assert.equal(r.contentType, 'application/sdp');
    },
  },
  escnull: {
    section: '3.1.1.4',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      const r = req(m);
      const to = r.to.uri;
      assert.ok(to.kind === 'sip' && to.user === 'null-\0-null');
      assert.ok(!r.contacts.star && r.contacts.contacts.length === 2);
    },
  },
  esc02: {
    section: '3.1.1.5',
    parse: 'ok',
    // RE%47IST%45R is an unknown method, not REGISTER (the method is not unescaped).
    outcome: reject(501),
    check: (m) => {
      const r = req(m);
      assert.equal(r.method, 'RE%47IST%45R');
      assert.equal(r.from.displayName, '%Z%45');
      assert.equal(r.headers.count('contact'), 2);
      assert.equal(r.headers.get('C%6Fntact'), '<sip:alias2@host2.example.com>');
    },
  },
  lwsdisp: {
    section: '3.1.1.6',
    parse: 'ok',
    outcome: accept,
    check: (m) => assert.equal(req(m).from.displayName, 'caller'),
  },
  longreq: {
    section: '3.1.1.7',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      const r = req(m);
      assert.equal(r.vias.length, 34);
      assert.equal(r.vias[33]!.params.get('received'), '192.0.2.5');
      assert.equal(r.body.length, 150);
    },
  },
  dblreq: {
    section: '3.1.1.8',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      const r = req(m);
      assert.equal(r.method, 'REGISTER');
      assert.equal(r.body.length, 0);
    },
  },
  semiuri: {
    section: '3.1.1.9',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      const uri = req(m).uri;
      assert.ok(uri.kind === 'sip');
      assert.equal(uri.user, 'user;par=u@example.net');
      assert.equal(uri.host, 'example.com');
      assert.equal(uri.params.size, 0);
      assert.equal(m.headers.values('accept').length, 6);
    },
  },
  transports: {
    section: '3.1.1.10',
    parse: 'ok',
    outcome: accept,
    check: (m) =>
      assert.deepEqual(
        m.vias.map((v) => v.transport),
        ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP'],
      ),
  },
  mpart01: {
    section: '3.1.1.11',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      assert.equal(m.body.length, 553);
      assert.equal(m.contentType, 'multipart/mixed');
      const text = m.body.toString('latin1');
      assert.ok(text.startsWith('--7a9cbec02ceef655\r\n'));
      assert.ok(text.endsWith('--7a9cbec02ceef655--\r\n'));
    },
  },
  unreason: {
    section: '3.1.1.12',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      const r = res(m);
      assert.equal(r.status, 200);
      assert.ok(r.reason.startsWith('= 2**3 * 5**2 но сто девяносто девять'));
    },
  },
  noreason: {
    section: '3.1.1.13',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      const r = res(m);
      assert.equal(r.status, 100);
      assert.equal(r.reason, '');
    },
  },
  // §3.1.2 invalid messages
  badinv01: { section: '3.1.2.1', parse: 'ok', outcome: reject(400, 'Via') },
  clerr: {
    section: '3.1.2.2',
    parse: SipErrorCode.BodyTruncated,
    outcome: reject(400, 'Content-Length'),
  },
  ncl: {
    section: '3.1.2.3',
    parse: SipErrorCode.BadContentLength,
    outcome: reject(400, 'Content-Length'),
  },
  scalar02: { section: '3.1.2.4', parse: 'ok', outcome: reject(400, 'CSeq') },
  scalarlg: { section: '3.1.2.5', parse: 'ok', outcome: drop },
  quotbal: { section: '3.1.2.6', parse: 'ok', outcome: reject(400, 'To') },
  mismatch01: { section: '3.1.2.17', parse: 'ok', outcome: reject(400, 'CSeq') },
  ltgtruri: { section: '3.1.2.7', parse: 'ok', outcome: reject(400, 'Request-URI') },
  lwsruri: { section: '3.1.2.8', parse: 'ok', outcome: reject(400, 'Request-URI') },
  // Extra SP between the Request-Line parts: parsed leniently.
  lwsstart: {
    section: '3.1.2.9',
    parse: 'ok',
    outcome: accept,
    check: (m) => assert.equal(req(m).uriText, 'sip:user@example.com'),
  },
  // Trailing SP after the version: parsed leniently.
  trws: {
    section: '3.1.2.10',
    parse: 'ok',
    outcome: accept,
    check: (m) => assert.equal(req(m).version, 'SIP/2.0'),
  },
  escruri: { section: '3.1.2.11', parse: 'ok', outcome: reject(400, 'Request-URI') },
  // The Date header is never interpreted by the stack: lenient.
  baddate: { section: '3.1.2.12', parse: 'ok', outcome: accept },
  regbadct: { section: '3.1.2.13', parse: 'ok', outcome: reject(400, 'Contact') },
  // LWS inside <>: lenient.
  badaspec: {
    section: '3.1.2.14',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      const u = m.to.uri;
      assert.ok(u.kind === 'sip' && u.user === 't.watson' && u.host === 'example.org');
    },
  },
  // Unquoted display name with a comma: lenient.
  baddn: {
    section: '3.1.2.15',
    parse: 'ok',
    outcome: accept,
    check: (m) => assert.equal(m.from.displayName, 'Bell, Alexander'),
  },
  badvers: { section: '3.1.2.16', parse: 'ok', outcome: reject(505) },
  mismatch02: { section: '3.1.2.18', parse: 'ok', outcome: reject(501) },
  bigcode: { section: '3.1.2.19', parse: SipErrorCode.BadStatusCode, outcome: drop },
  // §3.2 transaction layer
  badbranch: {
    section: '3.2.1',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      assert.equal(viaBranch(m.topVia!), 'z9hG4bK');
      assert.equal(hasRfc3261Branch(m.topVia!), false);
    },
  },
  // §3.3 application layer
  insuf: { section: '3.3.1', parse: 'ok', outcome: reject(400, 'Missing') },
  unkscm: { section: '3.3.2', parse: 'ok', outcome: reject(416) },
  novelsc: { section: '3.3.3', parse: 'ok', outcome: reject(416) },
  unksm2: {
    section: '3.3.4',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      assert.deepEqual(m.to.uri, { kind: 'absolute', scheme: 'isbn', opaque: '2983792873' });
      assert.deepEqual(m.from.uri, {
        kind: 'absolute',
        scheme: 'http',
        opaque: '//www.example.com',
      });
      assert.ok(!m.contacts.star && m.contacts.contacts[0]!.uri.kind === 'absolute');
    },
  },
  bext01: { section: '3.3.5', parse: 'ok', outcome: reject(420) },
  invut: { section: '3.3.6', parse: 'ok', outcome: reject(415) },
  // Authorization is not interpreted here; the registrar ignores the unknown scheme.
  regaut01: { section: '3.3.7', parse: 'ok', outcome: accept },
  multi01: { section: '3.3.8', parse: 'ok', outcome: reject(400, 'Duplicate') },
  mcl01: {
    section: '3.3.9',
    parse: SipErrorCode.DuplicateHeader,
    outcome: reject(400, 'Content-Length'),
  },
  bcast: {
    section: '3.3.10',
    parse: 'ok',
    outcome: accept,
    check: (m) => assert.equal(m.vias[1]!.host, '255.255.255.255'),
  },
  zeromf: {
    section: '3.3.11',
    parse: 'ok',
    outcome: accept,
    check: (m) => assert.equal(m.maxForwards, 0),
  },
  cparam01: {
    section: '3.3.12',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      assert.ok(!m.contacts.star);
      const c = m.contacts.star ? undefined : m.contacts.contacts[0];
      assert.equal(c?.params.has('unknownparam'), true);
      assert.ok(c?.uri.kind === 'sip' && c.uri.params.size === 0);
    },
  },
  cparam02: {
    section: '3.3.13',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      const c = m.contacts.star ? undefined : m.contacts.contacts[0];
      assert.equal(c?.params.size, 0);
      assert.ok(c?.uri.kind === 'sip' && c.uri.params.has('unknownparam'));
    },
  },
  regescrt: {
    section: '3.3.14',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      const c = m.contacts.star ? undefined : m.contacts.contacts[0];
      assert.ok(c?.uri.kind === 'sip');
      assert.deepEqual(c.uri.headers, [['Route', '<sip:sip.example.com>']]);
    },
  },
  sdp01: { section: '3.3.15', parse: 'ok', outcome: reject(406) },
  // §3.4 backward compatibility
  inv2543: {
    section: '3.4.1',
    parse: 'ok',
    outcome: accept,
    check: (m) => {
      assert.equal(m.maxForwards, undefined);
      assert.equal(viaBranch(m.topVia!), undefined);
      assert.equal(hasRfc3261Branch(m.topVia!), false);
    },
  },
  // Extra file from the archive: a Request-Line without version, no Via → drop.
  test: { section: 'archive', parse: SipErrorCode.BadStartLine, outcome: drop },
};
