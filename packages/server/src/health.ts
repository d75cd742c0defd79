/**
 * Readiness: `GET /healthz` answers 200 only when every registered component is up
 * (HTTP listening, database reachable; SIP registers itself when it starts listening).
 */
export type HealthCheck = () => Promise<boolean> | boolean;

export class Health {
  readonly #checks = new Map<string, HealthCheck>();

  register(name: string, check: HealthCheck): void {
    this.#checks.set(name, check);
  }

  async report(): Promise<{ ok: boolean; components: Record<string, 'ok' | 'down'> }> {
    const components: Record<string, 'ok' | 'down'> = {};
    for (const [name, check] of this.#checks) {
      let up = false;
      try {
        up = await check();
      } catch {}
      components[name] = up ? 'ok' : 'down';
    }
    return { ok: Object.values(components).every((s) => s === 'ok'), components };
  }
}
