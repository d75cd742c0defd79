/**
 * Loaded into the server under test with `node --import` (bench only): the media engine
 * runs in worker threads whose V8 heaps /metrics does not show. This wraps
 * `worker_threads.Worker` so every worker the server creates is remembered, and every 5 s
 * appends each live worker's heap statistics (Worker#getHeapStatistics) as one JSON line
 * to the file named by UKETSUKE_BENCH_WORKER_HEAP_FILE. It observes only.
 */
import { appendFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { Worker as WorkerType } from 'node:worker_threads';

const out = process.env.UKETSUKE_BENCH_WORKER_HEAP_FILE;
if (out) {
  const require = createRequire(import.meta.url);
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const Original = threads.Worker;
  const live = new Map<WorkerType, string>();
  class ProbedWorker extends Original {
    constructor(...args: ConstructorParameters<typeof Original>) {
      super(...args);
      live.set(this, String(args[0]));
      this.once('exit', () => live.delete(this));
    }
  }
  threads.Worker = ProbedWorker;
  // Named ESM imports of 'node:worker_threads' see the wrapped class too.
  syncBuiltinESMExports();
  setInterval(async () => {
    for (const [worker, script] of live) {
      try {
        const h = await worker.getHeapStatistics();
        appendFileSync(
          out,
          `${JSON.stringify({
            t: Date.now(),
            script,
            usedHeap: h.used_heap_size,
            totalHeap: h.total_heap_size,
            external: h.external_memory,
            malloced: h.malloced_memory,
          })}\n`,
        );
      } catch {}
    }
  }, 5000).unref();
}
