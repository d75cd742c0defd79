import { after, before, describe } from 'node:test';
import { testDatabases } from './databases.ts';
import { startTestApp, type TestApp } from './harness.ts';

/**
 * Runs `body` once per database (SQLite, PostgreSQL) against a fresh in-process server.
 * `ctx()` returns the running app inside tests.
 */
export function describeEachDatabase(
  name: string,
  body: (ctx: () => TestApp) => void,
  opts: { quarantineDays?: number } = {},
): void {
  for (const tdb of testDatabases) {
    describe(`${name} [${tdb.name}]`, { skip: tdb.skip }, () => {
      let app: TestApp | undefined;
      let drop: (() => Promise<void>) | undefined;
      before(async () => {
        const created = await tdb.create();
        drop = created.drop;
        app = await startTestApp(created.config, opts);
      });
      after(async () => {
        await app?.close();
        await drop?.();
      });
      body(() => {
        if (!app) throw new Error('test app not started');
        return app;
      });
    });
  }
}
