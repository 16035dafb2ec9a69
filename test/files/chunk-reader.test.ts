import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ChunkReader, NOT_YET } from '../../src/files/chunk-reader.ts';

/** Returns an async iterator whose reads the test releases one at a time. */
function controlled<T>() {
  const waiting: Array<{
    resolve: (result: IteratorResult<T>) => void;
    reject: (e: Error) => void;
  }> = [];
  const iterator: AsyncIterator<T> = {
    next: () => new Promise((resolve, reject) => waiting.push({ resolve, reject })),
  };
  return {
    iterator,
    send: (value: T) => waiting.shift()!.resolve({ done: false, value }),
    end: () => waiting.shift()!.resolve({ done: true, value: undefined }),
    fail: (error: Error) => waiting.shift()!.reject(error),
    reads: () => waiting.length,
  };
}

describe('ChunkReader', () => {
  it('keeps a read that outlasts nextWithin', async () => {
    const source = controlled<string>();
    const reader = new ChunkReader(source.iterator);
    expect(await reader.nextWithin(10)).toBe(NOT_YET);
    // The read goes on; a second call does not start another one.
    expect(await reader.nextWithin(10)).toBe(NOT_YET);
    expect(source.reads()).toBe(1);
    source.send('a');
    expect(await reader.next()).toBe('a');
    const last = reader.next();
    source.end();
    expect(await last).toBeNull();
    expect(await reader.next()).toBeNull();
  });

  it('reads ahead until work settles', async () => {
    const source = controlled<number>();
    const reader = new ChunkReader(source.iterator);
    let finish!: () => void;
    const busy = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const ahead = reader.readWhile(busy, 10);
    source.send(1);
    await delay(5);
    source.send(2);
    await delay(5);
    // A third read is going on when the work settles; readWhile does not wait for it.
    finish();
    await ahead;
    expect(source.reads()).toBe(1);
    expect(await reader.next()).toBe(1);
    expect(await reader.next()).toBe(2);
    source.send(3);
    expect(await reader.next()).toBe(3);
  });

  it('stops reading ahead at the limit', async () => {
    const source = controlled<number>();
    const reader = new ChunkReader(source.iterator);
    const ahead = reader.readWhile(new Promise(() => {}), 2);
    source.send(1);
    await delay(5);
    source.send(2);
    await ahead;
    expect(source.reads()).toBe(0);
    expect(await reader.next()).toBe(1);
  });

  it('throws a failed read later', async () => {
    const source = controlled<number>();
    const reader = new ChunkReader(source.iterator);
    expect(await reader.nextWithin(5)).toBe(NOT_YET);
    source.fail(new Error('stream broke'));
    // Nothing awaits the read when it fails; the failure waits for the next call.
    await delay(5);
    await expect(reader.next()).rejects.toThrow('stream broke');
  });
});
