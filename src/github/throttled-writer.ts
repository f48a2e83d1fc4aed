/**
 * Coalesces a stream of values into rate-limited writes: the first value is written at once,
 * later ones at most once per interval, and only the latest value is ever written (the last one
 * always is, unless the writer is closed first). A failed write is retried after the interval,
 * up to 3 consecutive failures, unless a newer value replaces it. Uses the global timers, so fake timers drive it.
 */

export interface ThrottledWriterOptions<T> {
  /** Minimum time between the starts of two writes. */
  intervalMs: number;
  /** Writes one value. May throw; errors go to onError and never stop the writer. */
  write: (value: T, signal: AbortSignal) => Promise<void>;
  onError?: (error: unknown) => void;
  /** A write still running after this is aborted. Default 30 s. */
  writeTimeoutMs?: number;
}

/** Consecutive failed writes after which a failed value is no longer retried on its own. */
const MAX_RETRIED_FAILURES = 3;

/**
 * The reason a write is aborted with. It must be named AbortError: octokit passes that through
 * at once, while any other reason becomes a retryable 500 whose 1 + 4 + 9 s of backoff keep
 * the aborted write (and the process) alive.
 */
const abortError = (message: string): DOMException => new DOMException(message, 'AbortError');

/** Unref'd: a deadline guard must not keep the process alive once the write it guards is gone. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref?.());
}

export class ThrottledWriter<T> {
  private pending: { value: T } | null = null;
  private inFlight: Promise<boolean> | null = null;
  private controller: AbortController | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastStart = -Infinity;
  private closed = false;
  private started = 0;
  private failures = 0;

  constructor(private readonly options: ThrottledWriterOptions<T>) {}

  /** Writes started so far (including failed ones). */
  get writeCount(): number {
    return this.started;
  }

  /** Queues `value`, replacing any value not yet written. Ignored after close(). */
  update(value: T): void {
    if (this.closed) return;
    this.pending = { value };
    this.schedule();
  }

  /** Resolves once every queued value has been written (or failed), ignoring the interval. */
  async flush(): Promise<void> {
    this.clearTimer();
    while (this.inFlight || this.pending) {
      if (this.inFlight) await this.inFlight;
      else this.start();
    }
  }

  /**
   * Writes `final` now, bypassing the interval, and stops the writer. Waits for a running write
   * up to half of `timeoutMs`, then aborts it. Resolves within `timeoutMs` in every case:
   * true when `final` was written.
   */
  async close(final: T, timeoutMs: number): Promise<boolean> {
    this.closed = true;
    this.clearTimer();
    this.pending = null;
    const deadline = Date.now() + timeoutMs;
    if (this.inFlight) {
      const running = this.inFlight;
      const finished = await Promise.race([running.then(() => true), delay(timeoutMs / 2).then(() => false)]);
      if (!finished) {
        this.controller?.abort(abortError('superseded by the final write'));
        await Promise.race([running, delay(Math.min(250, deadline - Date.now()))]);
      }
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) return false;
    return Promise.race([this.run(final, remaining), delay(remaining).then(() => false)]);
  }

  private schedule(): void {
    if (this.inFlight || this.timer || !this.pending || this.closed) return;
    const wait = this.lastStart + this.options.intervalMs - Date.now();
    if (wait <= 0) {
      this.start();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.schedule();
    }, wait);
    this.timer.unref?.();
  }

  private start(): void {
    const next = this.pending;
    if (!next) return;
    this.pending = null;
    const running = this.run(next.value, this.options.writeTimeoutMs ?? 30_000).then((ok) => {
      if (this.inFlight === running) this.inFlight = null;
      this.failures = ok ? 0 : this.failures + 1;
      // A failed value is retried (after the interval) unless a newer one is queued.
      if (!ok && !this.pending && !this.closed && this.failures < MAX_RETRIED_FAILURES) this.pending = next;
      this.schedule();
      return ok;
    });
    this.inFlight = running;
  }

  /** One write with its own timeout; never rejects. */
  private async run(value: T, timeoutMs: number): Promise<boolean> {
    this.started++;
    this.lastStart = Date.now();
    const controller = new AbortController();
    this.controller = controller;
    const timer = setTimeout(
      () => controller.abort(abortError(`write timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    timer.unref?.();
    try {
      await this.options.write(value, controller.signal);
      return true;
    } catch (error) {
      this.options.onError?.(error);
      return false;
    } finally {
      clearTimeout(timer);
      if (this.controller === controller) this.controller = null;
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
