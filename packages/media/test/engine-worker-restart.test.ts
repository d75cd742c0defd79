/**
 * A media worker thread that dies is replaced: with one worker (what the server runs),
 * a crash must not leave every later call without audio.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { buildAudioOffer, isMediaError, MediaEngine, MediaErrorCode } from '../src/index.ts';

/** The engine's worker threads (private; a test reaches in to kill one). */
function workers(engine: MediaEngine): Worker[] {
  return (engine as unknown as { links: { worker: Worker }[] }).links.map((l) => l.worker);
}

test('a failed worker is replaced; its endpoints are gone, new ones work', {
  timeout: 30_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'uketsuke-restart-'));
  const engine = await MediaEngine.start({
    workers: 1,
    rtpPorts: '47000-47099',
    promptDir: join(dir, 'prompts'),
    prepare: false,
  });
  try {
    const offer = buildAudioOffer({ address: '127.0.0.1', port: 47200 });
    const before = await engine.createEndpoint({ remoteSdpOffer: offer });
    const failed = once(engine, 'workerFailed');
    const restarted = once(engine, 'workerRestarted');
    const first = workers(engine)[0]!;
    await first.terminate();
    const [f] = (await failed) as [{ worker: number; error: { code: string } }];
    assert.equal(f.worker, 0);
    assert.equal(f.error.code, MediaErrorCode.WorkerFailed);
    assert.deepEqual(await restarted, [{ worker: 0 }]);
    assert.notEqual(workers(engine)[0], first, 'a new thread took the slot');

    await assert.rejects(engine.play(before.id, 'hold_music'), (e) =>
      isMediaError(e, MediaErrorCode.EndpointUnknown),
    );
    // The same port slice is free again: the new worker answers and plays.
    const after = await engine.createEndpoint({ remoteSdpOffer: offer });
    assert.match(after.localSdp, /^m=audio 470\d\d RTP\/AVP/m);
    const playing = engine.play(after.id, 'hold_music');
    await engine.stopPlay(after.id);
    assert.equal((await playing).reason, 'stopped');
    assert.equal((await engine.clockStats()).length, 1);
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a worker that keeps dying is restarted a bounded number of times', {
  timeout: 30_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'uketsuke-restart-'));
  const engine = await MediaEngine.start({
    workers: 1,
    promptDir: join(dir, 'prompts'),
    prepare: false,
  });
  try {
    let failures = 0;
    engine.on('workerFailed', () => failures++);
    for (let i = 0; i < 3; i++) {
      const restarted = once(engine, 'workerRestarted');
      await workers(engine)[0]!.terminate();
      await restarted;
    }
    const failed = once(engine, 'workerFailed');
    await workers(engine)[0]!.terminate();
    await failed;
    assert.equal(failures, 4);
    await assert.rejects(engine.createEndpoint(), (e) =>
      isMediaError(e, MediaErrorCode.WorkerFailed),
    );
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
});
