import { describe, expect, it } from 'vitest';
import { AsyncLock } from '../src/core/async-lock.js';

describe('AsyncLock', () => {
  it('lets holders in one at a time, in the order they asked', async () => {
    const lock = new AsyncLock();
    const log: string[] = [];
    const holder = (name: string, ticks: number) =>
      lock.run(async () => {
        log.push(`${name} in`);
        for (let i = 0; i < ticks; i += 1) await Promise.resolve();
        log.push(`${name} out`);
      });
    await Promise.all([holder('a', 5), holder('b', 1), holder('c', 3)]);
    expect(log).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });

  it('is free again after a holder failed', async () => {
    const lock = new AsyncLock();
    await expect(lock.run(() => Promise.reject(new Error('failed inside')))).rejects.toThrow('failed inside');
    await expect(lock.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('refuses a release without a holder', () => {
    expect(() => new AsyncLock().release()).toThrow(/not held/);
  });
});
