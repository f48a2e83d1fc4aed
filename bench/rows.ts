/**
 * The bench's one row type, its verdicts and the plain-text table. Every bench module returns
 * BenchRow[]; bench/index.ts groups them under the rows and prints one table.
 */

/**
 * How `target` bounds `value`: 'max' strictly from above (`<`), 'at-most' from above with
 * equality allowed (`≤`), 'min' from below with equality allowed (`≥`). Default 'max'.
 */
export type Bound = 'max' | 'at-most' | 'min';

/**
 * One measurement. `target` bounds `value` in `unit` (see Bound); null when the row is for
 * information, and then `pass` is null too.
 */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  target: number | null;
  bound?: Bound;
  pass: boolean | null;
  /**
   * The target holds at any scale (a count of duplicates, a correctness check), so `--quick`
   * enforces it too. Other targets are only compared at full scale.
   */
  invariant?: boolean;
  /** A short note printed under the table (how it was measured, why it failed). */
  note?: string;
}

/** A row as printed and written as JSON: with the row it belongs to. */
export interface GroupedRow extends BenchRow {
  group: string;
}

export const SYMBOL: Readonly<Record<Bound, string>> = { max: '<', 'at-most': '≤', min: '≥' };

export function meets(value: number, target: number, bound: Bound = 'max'): boolean {
  if (!Number.isFinite(value)) return false;
  if (bound === 'min') return value >= target;
  return bound === 'at-most' ? value <= target : value < target;
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** A row for information: no target, no verdict. */
export function info(name: string, value: number, unit: string, digits = 1): BenchRow {
  return { name, value: round(value, digits), unit, target: null, pass: null };
}

/** A row with a target; the verdict is computed from the unrounded value. */
export function check(
  name: string,
  value: number,
  unit: string,
  target: number,
  options: { bound?: Bound; digits?: number; invariant?: boolean; note?: string } = {},
): BenchRow {
  const bound = options.bound ?? 'max';
  return {
    name,
    value: round(value, options.digits ?? 1),
    unit,
    target,
    bound,
    pass: meets(value, target, bound),
    ...(options.invariant ? { invariant: true } : {}),
    ...(options.note === undefined ? {} : { note: options.note }),
  };
}

export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

/** The q-quantile by the nearest-rank method (the median of an even count is the mean of the middle two). */
export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  if (q === 0.5 && sorted.length % 2 === 0) {
    const mid = sorted.length / 2;
    return ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  }
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** What the last column says: PASS/FAIL against the target, or, in --quick mode, a smoke verdict. */
export type Verdict = 'PASS' | 'FAIL' | 'ran' | 'BROKEN' | '';

/**
 * Full mode: PASS/FAIL against the target ('' for information rows, FAIL for a figure that is
 * not a finite number). Quick mode: the figures are smoke-scale, so only invariant targets are
 * compared; a row with a target is 'ran' when its figure is a finite, non-negative number (an
 * information row says nothing then), and any row whose figure is not is BROKEN.
 */
export function verdictOf(row: BenchRow, quick: boolean): Verdict {
  const sane = Number.isFinite(row.value) && row.value >= 0;
  if (quick) {
    if (!sane) return 'BROKEN';
    if (row.invariant && row.pass !== null) return row.pass ? 'PASS' : 'FAIL';
    return row.target === null ? '' : 'ran';
  }
  if (row.pass === null) return sane ? '' : 'FAIL';
  return row.pass && sane ? 'PASS' : 'FAIL';
}

/** True when the run should exit 1: a FAIL in full mode; a FAIL or BROKEN row in quick mode. */
export function failed(rows: readonly BenchRow[], quick: boolean): boolean {
  return rows.some((r) => {
    const v = verdictOf(r, quick);
    return v === 'FAIL' || v === 'BROKEN';
  });
}

const formatValue = (value: number, unit: string): string =>
  `${Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: 3 }) : String(value)} ${unit}`.trimEnd();

/** The table: row, measurement, measured, target, verdict; the row name once per group. */
export function formatTable(rows: readonly GroupedRow[], quick: boolean): string {
  const header = ['row', 'measurement', 'measured', 'target', quick ? 'smoke' : 'verdict'];
  const cells = rows.map((r, i) => [
    rows[i - 1]?.group === r.group ? '' : r.group,
    r.name,
    formatValue(r.value, r.unit),
    r.target === null ? '' : `${SYMBOL[r.bound ?? 'max']} ${formatValue(r.target, r.unit)}`,
    verdictOf(r, quick),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string =>
    c
      .map((s, i) => s.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
