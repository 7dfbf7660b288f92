/** Requests still being executed, including those whose client has gone away or timed out. */
export class InFlightRequests {
  private count = 0;
  private idle: Array<() => void> = [];

  track<T>(work: Promise<T>): Promise<T> {
    this.count += 1;
    return work.finally(() => {
      this.count -= 1;
      if (this.count === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  get size(): number {
    return this.count;
  }

  /** Resolves true when none is left, or false after `timeoutMs` at the latest. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
