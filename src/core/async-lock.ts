/**
 * A lock for async code in one thread: `acquire` resolves once every earlier holder has released, in the
 * order they asked.
 *
 * @example
 * const lock = new AsyncLock();
 * await lock.acquire();
 * try { await work(); } finally { lock.release(); }
 */
export class AsyncLock {
  private tail: Promise<void> = Promise.resolve();
  private releases: (() => void)[] = [];

  /** Waits until the lock is free, then holds it. */
  acquire(): Promise<void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const turn = this.tail;
    this.tail = turn.then(() => released);
    return turn.then(() => {
      this.releases.push(release);
    });
  }

  /** Lets the next waiter in. Must be called once per `acquire`, by the holder. */
  release(): void {
    const release = this.releases.shift();
    if (!release) throw new Error('AsyncLock released while not held');
    release();
  }

  /** Runs `work` holding the lock. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}
