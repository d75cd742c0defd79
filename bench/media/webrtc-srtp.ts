/**
 * SRTP cost per packet: our SrtpTransform (one reused AES-ECB cipher for the counter
 * mode keystream, HMAC-SHA1 from precomputed pads with one-shot crypto.hash) against
 * werift's SrtpSession (createCipheriv + createHmac per packet), same keys, same 172-byte
 * PCMU packets, same process, interleaved rounds.
 *
 *   node bench/media/webrtc-srtp.ts [--packets 100000] [--rounds 5]
 */
import { randomBytes } from 'node:crypto';
import { SrtpTransform } from '@uketsuke/media';
import { RtpHeader, SrtpSession } from 'werift';
import { arg, machine, median } from './lib/bench-util.ts';

const N = Number(arg('packets', '100000'));
const rounds = Number(arg('rounds', '5'));
const a = { key: randomBytes(16), salt: randomBytes(14) };
const b = { key: randomBytes(16), salt: randomBytes(14) };
const weriftSession = () =>
  new SrtpSession({
    keys: {
      localMasterKey: a.key,
      localMasterSalt: a.salt,
      remoteMasterKey: b.key,
      remoteMasterSalt: b.salt,
    },
    profile: 1,
  });
const payload = randomBytes(160);
const plain = Buffer.alloc(172);
plain[0] = 0x80;
plain.writeUInt32BE(1234, 8);
payload.copy(plain, 12);

const time = (f: (i: number) => void) => {
  const t = performance.now();
  for (let i = 0; i < N; i++) f(i);
  return ((performance.now() - t) * 1000) / N;
};

const results: Record<string, number[]> = {
  oursProtect: [],
  oursUnprotect: [],
  weriftProtect: [],
  weriftUnprotect: [],
};
let seqBase = 0;
for (let r = 0; r < rounds; r++) {
  // Fresh contexts each round (a new sender starts its ROC at 0).
  const ours = new SrtpTransform(a, b);
  const werift = weriftSession();
  const sender = new SrtpTransform(b, a);
  const inbound: Buffer[] = [];
  for (let i = 0; i < N; i++) {
    plain.writeUInt16BE((seqBase + i) & 0xffff, 2);
    inbound.push(sender.protectRtp(plain, 0, 172));
  }
  const weriftInbound = inbound.map((p) => Buffer.from(p));
  results.oursProtect!.push(
    time((i) => {
      plain.writeUInt16BE((seqBase + i) & 0xffff, 2);
      ours.protectRtp(plain, 0, 172);
    }),
  );
  results.oursUnprotect!.push(time((i) => ours.unprotectRtp(inbound[i]!, inbound[i]!.length)));
  results.weriftProtect!.push(
    time((i) =>
      werift.encrypt(
        payload,
        new RtpHeader({ payloadType: 0, sequenceNumber: (seqBase + i) & 0xffff, ssrc: 1234 }),
      ),
    ),
  );
  results.weriftUnprotect!.push(
    time((i) => {
      werift.decrypt(weriftInbound[i]!);
    }),
  );
  seqBase += N;
}
console.log(machine());
console.log(`${N} packets × ${rounds} rounds, median µs per 172-byte PCMU packet:`);
for (const [k, v] of Object.entries(results)) console.log(`  ${k}: ${median(v).toFixed(2)}`);
console.log(
  `  ratio werift/ours: protect ${(median(results.weriftProtect!) / median(results.oursProtect!)).toFixed(2)}, unprotect ${(median(results.weriftUnprotect!) / median(results.oursUnprotect!)).toFixed(2)}`,
);
