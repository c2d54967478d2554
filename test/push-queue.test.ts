import { describe, expect, it } from 'vitest';
import { PushQueue } from '../src/core/push-queue.js';

async function readAll<T>(queue: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of queue) values.push(value);
  return values;
}

describe('PushQueue', () => {
  it('hands out the values pushed before and while the reader waits, in order, and ends after end()', async () => {
    const queue = new PushQueue<number>();
    queue.push(1);
    const read = readAll(queue);
    await new Promise((resolve) => setImmediate(resolve));
    queue.push(2);
    queue.push(3);
    queue.end();
    expect(await read).toEqual([1, 2, 3]);
  });

  it('throws what fail() was given once the values before it are read, and only the first end or failure counts', async () => {
    const queue = new PushQueue<string>();
    const failure = new Error('the sender could not read');
    queue.push('a');
    queue.fail(failure);
    queue.end();
    queue.fail(new Error('later'));
    const values: string[] = [];
    await expect(
      (async () => {
        for await (const value of queue) values.push(value);
      })(),
    ).rejects.toBe(failure);
    expect(values).toEqual(['a']);
    const ended = new PushQueue<string>();
    ended.end();
    ended.fail(new Error('after the end'));
    expect(await readAll(ended)).toEqual([]);
  });

  it('counts the values not yet read and tells onTake as each is taken', async () => {
    let taken = 0;
    const queue = new PushQueue<number>(() => (taken += 1));
    queue.push(1);
    queue.push(2);
    expect(queue.length).toBe(2);
    const iterator = queue[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: 1, done: false });
    expect(taken).toBe(1);
    expect(queue.length).toBe(1);
    queue.end();
    expect(await iterator.next()).toEqual({ value: 2, done: false });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(taken).toBe(2);
  });
});
