/**
 * What a running UAS built on our stack answers to each RFC 4475 vector sent over UDP
 * (../shared/testdata/rfc4475/README.md, applied to rfc4475-stack.ts): a final status, or
 * `null` for no response at all. Valid requests reach the application layer, which
 * answers OPTIONS/REGISTER/MESSAGE with 200, a new INVITE with 480 (no one takes calls)
 * and a request in an unknown dialog with 481; responses and broken responses are
 * never answered.
 */
export const RFC4475_UDP_OUTCOMES: Readonly<Record<string, number | null>> = {
  // 3.1.1 valid
  wsinv: 481, // carries a To tag: an unknown dialog (§12.2.2)
  intmeth: 501,
  esc01: 480,
  escnull: 200,
  esc02: 501,
  lwsdisp: 200,
  longreq: 480,
  dblreq: 200,
  semiuri: 200,
  transports: 200,
  mpart01: 200,
  unreason: null,
  noreason: null,
  // 3.1.2 invalid
  badinv01: 400,
  clerr: 400,
  ncl: 400,
  scalar02: 400,
  scalarlg: null,
  quotbal: 400,
  mismatch01: 400,
  ltgtruri: 400,
  lwsruri: 400,
  lwsstart: 480,
  trws: 200,
  escruri: 400,
  baddate: 480,
  regbadct: 400,
  badaspec: 200,
  baddn: 200,
  badvers: 505,
  mismatch02: 501,
  bigcode: null,
  // 3.2 transaction layer
  badbranch: 200,
  // 3.3 application layer
  insuf: 400,
  unkscm: 416,
  novelsc: 416,
  unksm2: 200,
  bext01: 420,
  invut: 415,
  regaut01: 200,
  multi01: 400,
  mcl01: 400,
  bcast: null,
  zeromf: 200,
  cparam01: 200,
  cparam02: 200,
  regescrt: 200,
  sdp01: 406,
  // 3.4 backward compatibility
  inv2543: 480,
  // archive extra
  test: null,
};

/** Ports the vectors' Via sent-by names (or implies: 5060, 5061 for TLS): the sender listens on all. */
export const RFC4475_REPLY_PORTS = [5050, 5060, 5061, 5070] as const;
