/**
 * The database matrix: every repository/API suite runs on SQLite and on PostgreSQL
 * (scripts/test.ts starts a throwaway PostgreSQL and sets UKETSUKE_TEST_PG_URL). Each use
 * gets a fresh database, so suites never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config.ts';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** Set when this database cannot run here; the suite reports itself skipped. */
  skip: string | false;
  create(): Promise<{ config: DatabaseConfig; drop(): Promise<void> }>;
}

const pgUrl = process.env.UKETSUKE_TEST_PG_URL;

export const testDatabases: TestDatabase[] = [
  {
    name: 'sqlite',
    skip: false,
    async create() {
      return { config: { dialect: 'sqlite', file: ':memory:' }, drop: async () => {} };
    },
  },
  {
    name: 'postgres',
    skip: pgUrl
      ? false
      : 'UKETSUKE_TEST_PG_URL is not set (npm test starts PostgreSQL when it is installed: apt-get install postgresql)',
    async create() {
      const dbName = `uk_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${dbName}`);
      await admin.end();
      const url = new URL(pgUrl!);
      url.pathname = `/${dbName}`;
      return {
        config: { dialect: 'postgres', url: url.toString() },
        async drop() {
          const c = new pg.Client({ connectionString: pgUrl });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
          await c.end();
        },
      };
    },
  },
];
