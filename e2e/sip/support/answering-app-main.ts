/**
 * Run the answering app as its own process (for benchmarks and manual SIPp runs):
 *   node e2e/sip/support/answering-app-main.ts [port] [answerDelayMs]
 * Prints "listening HOST:PORT" once bound; SIGTERM closes it and prints its stats as JSON.
 */
import { AnsweringApp } from './answering-app.ts';

const port = Number(process.argv[2] ?? 5080);
const answerDelayMs = Number(process.argv[3] ?? 0);
const app = await AnsweringApp.start({ port, answerDelayMs, log: false });
console.log(`listening ${app.address.address}:${app.address.port}`);
const stop = async () => {
  await app.close();
  console.log(JSON.stringify(app.stats));
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
