/**
 * A UAS on our stack for the RFC 4475 UDP run: listens on 127.0.0.1:PORT (argv[2]) with
 * the validation profile of a typical UAS, answers valid requests at the application layer
 * (see rfc4475-outcomes.ts), prints "ready" and runs until SIGTERM. Meant to run inside a
 * loopback-only network namespace; it also refuses non-loopback destinations itself.
 */
import { createResponse, createTag, isLoopback, SipEndpoint } from '@uketsuke/sip';
import { UAS_PROFILE } from '@uketsuke/sip/test-support/validation-profile.ts';

const validation = UAS_PROFILE;

const port = Number(process.argv[2] ?? 5999);
const endpoint = await SipEndpoint.listenUdp(
  { host: '127.0.0.1', port, validation, allowDestination: isLoopback },
  {
    // Short timers so that vectors sharing a branch and sent-by (cparam01/cparam02,
    // escnull/regescrt) are not taken for retransmissions of one another (§17.2.3): with
    // T1 = 5 ms, Timers H and J end a transaction within 320 ms, before the next vector.
    timers: { t1: 5, t2: 40, t4: 50 },
    onRequest: (request, tx) => {
      // REGISTER, MESSAGE …: processed (this is not a registrar; 200 shows it got here).
      tx.respond(createResponse(request, 200, { toTag: createTag() }));
      return true;
    },
  },
);
console.log('ready');
process.on('SIGTERM', () => {
  void endpoint.close().then(() => process.exit(0));
});
