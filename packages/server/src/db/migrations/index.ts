import type { Migration, MigrationProvider } from 'kysely/migration';
import { initial } from './0001-initial.ts';

/**
 * Migrations in order. Names sort lexically; never rename or edit one that has shipped:
 * add a new one.
 */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
