/**
 * A real SMTP server process for tests (smtp-server on 127.0.0.1). Each accepted message is
 * written to OUT_DIR as <n>.eml. FAIL_RATE (0..1) refuses that share of sessions at MAIL
 * FROM with 451 (transient); REJECT_RCPT refuses that recipient with 550 (permanent).
 * Each arrival is also logged to OUT_DIR/received.log as "<epoch ms> <Message-ID>" (benchmarks).
 * Prints "LISTENING <port>" when ready.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

const outDir = process.env.OUT_DIR!;
const failRate = Number(process.env.FAIL_RATE ?? 0);
const rejectRcpt = process.env.REJECT_RCPT ?? '';
let seq = 0;
let seed = Number(process.env.SEED ?? 1);
const random = () => {
  // Park–Miller: repeatable failures for a given SEED.
  seed = (seed * 48271) % 2147483647;
  return seed / 2147483647;
};

const server = new SMTPServer({
  authOptional: true,
  // No reverse DNS of the client (offline test machines answer it slowly).
  disableReverseLookup: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  size: 10 * 1024 * 1024,
  onMailFrom(_address, _session, cb) {
    if (random() < failRate) {
      const err = Object.assign(new Error('Try again later (test failure)'), { responseCode: 451 });
      return cb(err);
    }
    cb();
  },
  onRcptTo(address, _session, cb) {
    if (rejectRcpt && address.address === rejectRcpt) {
      return cb(Object.assign(new Error('No such user here'), { responseCode: 550 }));
    }
    cb();
  },
  onData(stream, _session, cb) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks);
      writeFileSync(join(outDir, `${String(++seq).padStart(6, '0')}.eml`), raw);
      const id =
        /^Message-ID:\s*(<[^>]+>)/im.exec(raw.subarray(0, 8192).toString('latin1'))?.[1] ?? '-';
      appendFileSync(join(outDir, 'received.log'), `${Date.now()} ${id}\n`);
      cb();
    });
  },
});
// Clients that vanish mid-session (a server killed with SIGKILL, pooled connections reset)
// are normal for an MTA: log and carry on.
server.on('error', (err) => {
  process.stderr.write(`smtp sink: ${err.message}\n`);
});
server.listen(0, '127.0.0.1', () => {
  const a = server.server.address();
  process.stdout.write(`LISTENING ${typeof a === 'object' && a ? a.port : 0}\n`);
});
// Messages are written synchronously on arrival: nothing to flush, and clients holding
// pooled connections must not keep the process alive.
process.on('SIGTERM', () => process.exit(0));
