/** Limits on one run. The loop winds down (one last tool-free turn for a summary) when one is reached. */
export interface Budget {
  /** Model turns before winding down. Must be ≥ 1. */
  maxTurns: number;
  /** Epoch ms at which work stops and the wind-down turn starts. Undefined: no deadline. */
  deadlineAt?: number | undefined;
  /** USD spent before winding down. Undefined: no cost limit. */
  maxCostUsd?: number | undefined;
}

export type WindDownReason = 'max_turns' | 'deadline' | 'budget';

/** Which limit, if any, has been reached. Checked before every model turn. */
export function limitReached(
  budget: Budget,
  spent: { turns: number; costUsd: number; now: number },
): WindDownReason | null {
  if (budget.deadlineAt !== undefined && spent.now >= budget.deadlineAt) return 'deadline';
  if (budget.maxCostUsd !== undefined && spent.costUsd >= budget.maxCostUsd) return 'budget';
  if (spent.turns >= budget.maxTurns) return 'max_turns';
  return null;
}

/**
 * A signal that fires when `parent` fires or when the deadline passes.
 * `dispose` clears the timer; call it when the run ends.
 */
export function workSignal(
  parent: AbortSignal,
  deadlineAt: number | undefined,
  now: number,
): { signal: AbortSignal; dispose: () => void } {
  if (deadlineAt === undefined) return { signal: parent, dispose: () => undefined };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('deadline')), Math.max(0, deadlineAt - now));
  timer.unref?.();
  return {
    signal: AbortSignal.any([parent, controller.signal]),
    dispose: () => clearTimeout(timer),
  };
}

/**
 * When to stop working for a time limit of `limitMinutes` starting at `startMs`: early enough
 * to leave room for the summary turn, the final commit and the final comment
 * (15% of the limit, at least 20 s and at most 3 minutes).
 */
export function deadlineFor(startMs: number, limitMinutes: number): number {
  const limitMs = limitMinutes * 60_000;
  const reserve = Math.min(180_000, Math.max(20_000, limitMs * 0.15));
  return startMs + Math.max(limitMs - reserve, limitMs / 2);
}
