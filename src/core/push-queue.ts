/**
 * Values handed over from callbacks (a thread's messages, a reader running ahead), read in order by one async
 * iterator that waits for the next: it ends after {@link PushQueue.end}, and throws what {@link PushQueue.fail}
 * was given once the values before it are read. Only the first end or failure counts.
 *
 * @example
 * const queue = new PushQueue<Buffer>();
 * port.on('message', (bytes: Buffer) => queue.push(bytes));
 * for await (const bytes of queue) …
 */
export class PushQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private ended: { error?: unknown } | undefined;
  private wake: (() => void) | undefined;

  /** @param onTake called as the reader takes each value, e.g. to let a producer waiting for room go on. */
  constructor(private readonly onTake?: () => void) {}

  /** Values pushed and not yet read. */
  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  end(): void {
    this.ended ??= {};
    this.wake?.();
  }

  fail(error: unknown): void {
    this.ended ??= { error };
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.items.length > 0) {
        const item = this.items.shift() as T;
        this.onTake?.();
        yield item;
      } else if (this.ended) {
        if ('error' in this.ended) throw this.ended.error;
        return;
      } else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
