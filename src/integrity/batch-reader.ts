/**
 * Items read one at a time from a stream that hands them out in batches (the lines of a bundle's file, a few
 * hundred per inflated piece): `shift` answers at once from the batch at hand, and only when it is used up
 * (`ready` is false) is the next batch awaited (`fill`). A verifier of a million lines thus awaits a few
 * thousand times, not a million.
 *
 * @example
 * const lines = new BatchReader(leafHashBatches);
 * if (!lines.ready) await lines.fill();
 * const line = lines.shift(); // undefined at the end
 */
export class BatchReader<T> {
  readonly #iterator: AsyncIterator<readonly T[]>;
  #batch: readonly T[] = [];
  #at = 0;
  #ended = false;

  constructor(source: AsyncIterable<readonly T[]>) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  /** Whether `shift` can answer without a `fill`: an item is at hand, or the stream has ended. */
  get ready(): boolean {
    return this.#ended || this.#at < this.#batch.length;
  }

  /** Reads batches until an item is at hand or the stream ends; what the stream throws, it throws. */
  async fill(): Promise<void> {
    while (!this.ready) {
      const { value, done } = await this.#iterator.next();
      if (done) this.#ended = true;
      else {
        this.#batch = value;
        this.#at = 0;
      }
    }
  }

  /** The next item, `undefined` at the end of the stream (or before a `fill` that `ready` called for). */
  shift(): T | undefined {
    return this.#at < this.#batch.length ? this.#batch[this.#at++] : undefined;
  }
}
