/**
 * `npm start` / `npm run demo`: runs Uketsuke with the embedded defaults (SQLite under
 * ./data, everything in one process). Configuration: UKETSUKE_* variables, see README.
 */
import { clockStartingAt } from './clock.ts';
import { ConfigError, loadConfig } from './config.ts';
import { startServer } from './server.ts';

const args = process.argv.slice(2);
const demo = args.includes('--demo');
const unknown = args.filter((a) => a !== '--demo');
if (unknown.length > 0) {
  console.error(`uketsuke: unknown argument ${unknown.join(' ')} (only --demo is understood)`);
  process.exit(2);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`uketsuke: configuration error: ${err.message}`);
    process.exit(2);
  }
  throw err;
}

if (config.clockStart) {
  // A testing aid: business hours, holidays and callback windows follow this clock.
  console.warn(
    `uketsuke: WARNING: UKETSUKE_CLOCK_START is set; the clock starts at ${config.clockStart.toISOString()} and runs from there (testing only, never in production)`,
  );
}

try {
  const server = await startServer(config, {
    demo,
    ...(config.clockStart ? { clock: clockStartingAt(config.clockStart) } : {}),
  });
  const lines = [
    `Uketsuke is running: ${server.httpUrl}`,
    `  health: ${server.httpUrl}/healthz   API docs: ${server.httpUrl}/api/openapi.json`,
    ...server.banner.map((l) => `  ${l}`),
  ];
  console.log(lines.join('\n'));
  const stop = (signal: string) => {
    console.log(`uketsuke: ${signal}, shutting down`);
    server.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') {
    console.error(`uketsuke: port in use (${e.message}); set UKETSUKE_HTTP_PORT to another port`);
  } else {
    console.error(`uketsuke: failed to start: ${e.message}`);
  }
  process.exit(1);
}
