import { createHmac } from 'node:crypto';
import { randomSecret } from '../ids.ts';
import type { Store } from './store.ts';

/**
 * One random secret per installation, created on first start and kept in the database (so
 * every node of a scale-out shares it). Purpose-specific keys are derived from it with
 * HMAC, so no two features ever use the same key.
 */
export class ServerSecret {
  readonly #secret: string;
  private constructor(secret: string) {
    this.#secret = secret;
  }

  static async load(store: Store): Promise<ServerSecret> {
    return store.transaction(async (r) => {
      const existing = await r.settings.get('server_secret');
      if (existing) return new ServerSecret(existing);
      const secret = randomSecret(32);
      await r.settings.set('server_secret', secret);
      return new ServerSecret(secret);
    });
  }

  derive(purpose: string): string {
    return createHmac('sha256', this.#secret).update(purpose).digest('base64url');
  }
}
