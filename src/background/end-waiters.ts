/**
 * Waits for the next ended item (a job) that a predicate accepts, bounded by a timeout and an
 * AbortSignal. Every wait cleans up its listener, timer and abort handler however it ends.
 */
export class EndWaiters<T> {
  readonly #listeners = new Set<(item: T) => void>();

  /** Resolves with the first item passed to `notify` that `accept`s, or undefined on timeout or abort. */
  next(
    signal: AbortSignal,
    timeoutMs: number | undefined,
    accept: (item: T) => boolean,
  ): Promise<T | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const done = (item?: T): void => {
        this.#listeners.delete(onItem);
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(item);
      };
      const onItem = (item: T): void => {
        if (accept(item)) done(item);
      };
      const onAbort = (): void => done();
      const timer = timeoutMs === undefined ? undefined : setTimeout(onAbort, timeoutMs);
      this.#listeners.add(onItem);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  notify(item: T): void {
    for (const listener of [...this.#listeners]) listener(item);
  }
}
