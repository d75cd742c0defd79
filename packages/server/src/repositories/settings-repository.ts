import type { Executor } from './executor.ts';

/** Installation-wide key/value settings. */
export class SettingsRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async get(key: string): Promise<string | undefined> {
    return (
      await this.#db
        .selectFrom('settings')
        .select('value')
        .where('key', '=', key)
        .executeTakeFirst()
    )?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.#db.deleteFrom('settings').where('key', '=', key).execute();
    await this.#db.insertInto('settings').values({ key, value }).execute();
  }
}
