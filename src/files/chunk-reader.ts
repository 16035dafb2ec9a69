/** The value `ChunkReader.nextWithin` returns when no chunk arrived in time. */
export const NOT_YET = Symbol('not yet');

/**
 * Reads chunks from an async iterator one read at a time, and lets the caller stop waiting for a
 * read without losing it: a read that outlasts the caller's patience goes on, and its chunk is
 * the next one returned. Chunks read ahead wait in a queue. A failed read is thrown by the next
 * call that needs it, never left as an unhandled rejection.
 */
export class ChunkReader<T> {
  private readonly queue: T[] = [];
  private reading: Promise<void> | null = null;
  private ended = false;
  private failure: { error: unknown } | null = null;

  constructor(private readonly chunks: AsyncIterator<T>) {}

  /** Returns the next chunk, waiting for it as long as it takes; null at the end of the input. */
  async next(): Promise<T | null> {
    for (;;) {
      const chunk = this.take();
      if (chunk !== NOT_YET) return chunk;
      await this.read();
    }
  }

  /**
   * Returns the next chunk, or NOT_YET when none arrives within `ms` milliseconds; the read goes
   * on, and a later call returns its chunk.
   */
  async nextWithin(ms: number): Promise<T | null | typeof NOT_YET> {
    const ready = this.take();
    if (ready !== NOT_YET) return ready;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    try {
      await Promise.race([this.read(), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return this.take();
  }

  /**
   * Reads chunks into the queue until `busy` settles or `max` chunks wait there. Returns as soon
   * as `busy` settles, even while a read is still going on.
   */
  async readWhile(busy: Promise<unknown>, max: number): Promise<void> {
    let settled = false;
    const done = busy.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    while (!settled && !this.ended && this.failure === null && this.queue.length < max) {
      await Promise.race([this.read(), done]);
    }
  }

  /** Returns a queued chunk, null at the end, NOT_YET when a read is needed; throws a failed read. */
  private take(): T | null | typeof NOT_YET {
    if (this.queue.length > 0) return this.queue.shift()!;
    if (this.failure !== null) throw this.failure.error;
    return this.ended ? null : NOT_YET;
  }

  /** Starts a read unless one is going on, and returns it; it never rejects. */
  private read(): Promise<void> {
    this.reading ??= this.chunks.next().then(
      (next) => {
        this.reading = null;
        if (next.done === true) this.ended = true;
        else this.queue.push(next.value);
      },
      (error: unknown) => {
        this.reading = null;
        this.failure = { error };
      },
    );
    return this.reading;
  }
}
