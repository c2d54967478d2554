import type { Worker } from 'node:worker_threads';

/**
 * Asks a worker thread to end (the message `'stop'`, which each of Attest's threads answers by closing what it
 * holds) and resolves once it has ended. The thread is referenced while it winds down: the store's threads are
 * unreferenced, and awaiting an unreferenced one, a process with nothing else to do would end before it,
 * skipping whatever the caller meant to do after closing the store.
 *
 * @param exited the thread's end, when the caller already watches for it (or it may already have happened)
 */
export function stopWorkerThread(
  worker: Worker,
  exited: Promise<void> = new Promise((resolve) => worker.once('exit', () => resolve())),
): Promise<void> {
  worker.ref();
  worker.postMessage('stop');
  return exited;
}
