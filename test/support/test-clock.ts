/** A clock that moves only when a test or a test helper moves it. */
export class TestClock {
  private epochMs: number;

  constructor(startMs: number = Date.now()) {
    this.epochMs = startMs;
  }

  /** Returns the current time; bound, so that it can be passed as a `now` dependency. */
  readonly now = (): Date => new Date(this.epochMs);

  advance(ms: number): void {
    this.epochMs += ms;
  }

  set(epochMs: number): void {
    this.epochMs = epochMs;
  }
}
