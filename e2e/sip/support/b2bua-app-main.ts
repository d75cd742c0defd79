/**
 * Run the B2BUA test app by hand: `node e2e/sip/support/b2bua-app-main.ts [port]`
 * (users alice/alice-secret and bob/bob-secret; Ctrl-C to stop).
 */
import { B2buaApp } from './b2bua-app.ts';

const app = await B2buaApp.start({
  port: Number(process.argv[2] ?? 15100),
  users: { alice: 'alice-secret', bob: 'bob-secret' },
  algorithms: process.env.UKETSUKE_DIGEST === 'both' ? ['SHA-256', 'MD5'] : ['MD5'],
});
console.log(`b2bua app on 127.0.0.1:${app.port} (UDP and TCP)`);
const timer = setInterval(() => {
  for (const line of app.log.splice(0)) console.log(line);
}, 200);
process.on('SIGINT', () => {
  clearInterval(timer);
  void app.close().then(() => process.exit(0));
});
