import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ThrottledWriter } from '../../src/github/throttled-writer.js';

interface Call {
  value: number;
  at: number;
  signal: AbortSignal;
}

function recorder(options: { failFirst?: number; hang?: boolean; durationMs?: number } = {}) {
  const calls: Call[] = [];
  let failures = options.failFirst ?? 0;
  const write = async (value: number, signal: AbortSignal): Promise<void> => {
    calls.push({ value, at: Date.now(), signal });
    if (options.hang) {
      await new Promise<void>((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    }
    if (options.durationMs) await new Promise((resolve) => setTimeout(resolve, options.durationMs));
    if (failures > 0) {
      failures--;
      throw new Error('502 Bad Gateway');
    }
  };
  return { calls, write };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ThrottledWriter', () => {
  it('writes the first value at once and coalesces the rest to one write per interval', async () => {
    const { calls, write } = recorder();
    const writer = new ThrottledWriter<number>({ intervalMs: 10_000, write });
    for (let i = 1; i <= 50; i++) {
      writer.update(i);
      await vi.advanceTimersByTimeAsync(500);
    }
    // Updates every 0.5 s for 25 s; writes at 0, 10 s and 20 s carry the latest value then.
    expect(calls.map((c) => [c.value, c.at])).toEqual([
      [1, 0],
      [20, 10_000],
      [40, 20_000],
    ]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.at(-1)).toMatchObject({ value: 50, at: 30_000 });
    expect(writer.writeCount).toBe(4);
  });

  it('always writes the last value, and does nothing when there is nothing new', async () => {
    const { calls, write } = recorder();
    const writer = new ThrottledWriter<number>({ intervalMs: 1000, write });
    writer.update(1);
    writer.update(2);
    writer.update(3);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls.map((c) => c.value)).toEqual([1, 3]);
  });

  it('never runs two writes at once', async () => {
    const { calls, write } = recorder({ durationMs: 3000 });
    const writer = new ThrottledWriter<number>({ intervalMs: 1000, write });
    writer.update(1);
    await vi.advanceTimersByTimeAsync(1500);
    writer.update(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(600);
    expect(calls.map((c) => [c.value, c.at])).toEqual([
      [1, 0],
      [2, 3000],
    ]);
  });

  it('reports a failed write, keeps going, and retries the failed value', async () => {
    const errors: unknown[] = [];
    const { calls, write } = recorder({ failFirst: 1 });
    const writer = new ThrottledWriter<number>({ intervalMs: 1000, write, onError: (e) => errors.push(e) });
    writer.update(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.map((c) => c.value)).toEqual([1, 1]);
    writer.update(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.map((c) => c.value)).toEqual([1, 1, 2]);
  });

  it('stops retrying a value after 3 consecutive failures', async () => {
    const { calls, write } = recorder({ failFirst: 100 });
    const writer = new ThrottledWriter<number>({ intervalMs: 1000, write, onError: () => undefined });
    writer.update(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(3);
  });

  it('flush() writes the pending value at once', async () => {
    const { calls, write } = recorder();
    const writer = new ThrottledWriter<number>({ intervalMs: 60_000, write });
    writer.update(1);
    writer.update(2);
    await writer.flush();
    expect(calls.map((c) => [c.value, c.at])).toEqual([
      [1, 0],
      [2, 0],
    ]);
  });

  it('close() writes the final value, bypassing the interval, then ignores updates', async () => {
    const { calls, write } = recorder();
    const writer = new ThrottledWriter<number>({ intervalMs: 60_000, write });
    writer.update(1);
    writer.update(2);
    await expect(writer.close(99, 5000)).resolves.toBe(true);
    writer.update(3);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(calls.map((c) => c.value)).toEqual([1, 99]);
  });

  it('close() finishes within its timeout when writes hang', async () => {
    const { calls, write } = recorder({ hang: true });
    const writer = new ThrottledWriter<number>({ intervalMs: 1000, write, onError: () => undefined });
    writer.update(1);
    await vi.advanceTimersByTimeAsync(0);
    const closing = writer.close(2, 4000);
    let result: boolean | undefined;
    void closing.then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(4000);
    expect(result).toBe(false);
    expect(calls.map((c) => c.value)).toEqual([1, 2]);
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(calls[1]?.signal.aborted).toBe(true);
  });

  it('aborts a write that exceeds writeTimeoutMs', async () => {
    const errors: unknown[] = [];
    const { calls, write } = recorder({ hang: true });
    const writer = new ThrottledWriter<number>({
      intervalMs: 1000,
      writeTimeoutMs: 2000,
      write,
      onError: (e) => errors.push(e),
    });
    writer.update(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(errors).toHaveLength(1);
  });
});
