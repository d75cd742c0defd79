/**
 * Worker-thread entry of the media engine: wires the control channel (parentPort) to a
 * {@link MediaWorkerHost}. Started by media-engine.ts; not imported by anything else.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EngineRequest, MediaWorkerConfig, WorkerMessage } from './engine-protocol.ts';
import { MediaWorkerHost } from './media-worker-host.ts';

const port = parentPort;
if (port === null) throw new Error('media-worker.ts must run in a worker thread');
const host = new MediaWorkerHost(workerData as MediaWorkerConfig, (message: WorkerMessage) =>
  port.postMessage(message),
);
port.on('message', (request: EngineRequest) => {
  host.handle(request);
  // After close has been answered, let the thread exit by itself.
  if (request.method === 'close') port.unref();
});
