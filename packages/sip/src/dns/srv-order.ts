/**
 * RFC 2782 target selection order for SRV records: lowest priority first; within one
 * priority, a weighted random draw repeated until the set is used up (records of weight 0
 * are put first so they keep a small chance of being chosen, as the RFC's algorithm has it).
 */

export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/** A number in [0, 1), like Math.random (injected so tests can fix the draw). */
export type RandomUnit = () => number;

export function orderSrv(
  records: readonly SrvRecord[],
  random: RandomUnit = Math.random,
): SrvRecord[] {
  // "." as target: the service is decidedly not available at this domain (RFC 2782).
  const usable = records.filter((r) => r.name !== '' && r.name !== '.');
  const priorities = [...new Set(usable.map((r) => r.priority))].sort((a, b) => a - b);
  const out: SrvRecord[] = [];
  for (const priority of priorities) {
    const group = usable.filter((r) => r.priority === priority);
    // Zero weights first, then the rest, in the order received (RFC 2782 "Usage rules").
    const pool = [...group.filter((r) => r.weight === 0), ...group.filter((r) => r.weight > 0)];
    while (pool.length > 0) {
      const total = pool.reduce((sum, r) => sum + r.weight, 0);
      // The first record whose running sum reaches a uniform integer draw in [0, total].
      const draw = Math.floor(random() * (total + 1));
      let running = 0;
      let index = pool.length - 1;
      for (let i = 0; i < pool.length; i++) {
        running += pool[i]?.weight ?? 0;
        if (running >= draw) {
          index = i;
          break;
        }
      }
      const [chosen] = pool.splice(index, 1);
      if (chosen !== undefined) out.push(chosen);
    }
  }
  return out;
}
