/** Hand-written valid messages used by unit and fuzz tests. */
const crlf = (lines: string[]) => lines.join('\r\n');

export const INVITE = crlf([
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: "Alice" <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.example.com>',
  'Content-Type: application/sdp',
  'Content-Length: 17',
  '',
  'v=0\r\no=- 0 0 IN\r\n',
]);

export const REGISTER = crlf([
  'REGISTER sips:ss2.biloxi.example.com SIP/2.0',
  'v: SIP/2.0/TLS client.biloxi.example.com:5061;branch=z9hG4bKnashds7',
  'Max-Forwards: 70',
  'f: Bob <sips:bob@biloxi.example.com>;tag=a73kszlfl',
  't: Bob <sips:bob@biloxi.example.com>',
  'i: 1j9FpLxk3uxtm8tn@biloxi.example.com',
  'CSeq: 1 REGISTER',
  'm: <sips:bob@client.biloxi.example.com>;expires=3600, <tel:+81312345678>;q=0.1',
  'Expires: 7200',
  'l: 0',
  '',
  '',
]);

export const RESPONSE = crlf([
  'SIP/2.0 180 Ringing',
  'Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bK4b43c2ff8.1;received=192.0.2.3',
  'Via: SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bK77ef4c2312983.1;received=2001:db8::1',
  'Record-Route: <sip:server10.biloxi.example.com;lr>, <sip:bigbox3.site3.atlanta.example.com;lr>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf',
  'Call-ID: a84b4c76e66710',
  'Contact: <sip:bob@192.0.2.4>',
  'CSeq: 314159 INVITE',
  'Content-Length: 0',
  '',
  '',
]);

export const VALID_MESSAGES: readonly string[] = [INVITE, REGISTER, RESPONSE];
