/**
 * `npm run bench`: the performance table of the whole product, against the targets of the
 * benchmark issue: cold start, bundle size, background fan-out, prompt caching, GitHub writes,
 * big output, task board, overhead per tool call. Each row prints the measured figure, the
 * target and a verdict.
 *
 *   npm run bench                    full scale (~2 min on 2 cores, one row at a time); exit 1
 *                                    when a row FAILs
 *   npm run bench -- --quick         smoke scale (~15 s; the GitHub-writes runs overlap the rest):
 *                                    run by .ci/run so the bench cannot rot. Figures are smoke-level
 *                                    and not compared with the targets, except invariants (no
 *                                    duplicate comments, …): a row says `ran`, PASS, FAIL or BROKEN,
 *                                    and exit 1 means the bench is broken.
 *   npm run bench -- --json          the rows as JSON on stdout; the table goes to stderr
 *   npm run bench -- --json=FILE     the rows as JSON written to FILE; the table on stdout
 *   npm run bench -- --only=a,b      only the rows whose group name contains a or b (case-insensitive)
 *
 * Progress lines go to stderr. The rows that run dist/index.js measure the last `npm run build`;
 * a warning says so when src/ changed since. The machine's load is printed and recorded: the
 * figures are only comparable between runs on an otherwise idle machine.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { benchBigOutput } from './big-output.js';
import { benchBundle, staleDistWarning } from './bundle.js';
import { benchCaching } from './caching.js';
import { benchColdStart } from './cold-start.js';
import { benchGitHubWrites } from './github-writes.js';
import { benchJobFanOut } from './jobs.js';
import { failed, formatTable, verdictOf, type BenchRow, type GroupedRow } from './rows.js';
import { benchTaskBoard } from './task-board.js';
import { benchToolOverhead } from './tool-overhead.js';

interface Section {
  group: string;
  run: (quick: boolean) => Promise<BenchRow[]> | BenchRow[];
  /** With --quick, runs beside the other sections (it mostly waits on timers). */
  overlapInQuick?: boolean;
}

/** In this order. At full scale no row overlaps another, so the CPU-sensitive ones run alone. */
const SECTIONS: readonly Section[] = [
  { group: 'Cold start', run: (quick) => benchColdStart({ runs: quick ? 1 : 10 }) },
  { group: 'Bundle', run: () => benchBundle() },
  { group: 'Background fan-out', run: (quick) => benchJobFanOut({ sleepSeconds: quick ? 0.5 : 2 }) },
  { group: 'Prompt caching', run: () => benchCaching() },
  {
    group: 'GitHub writes',
    overlapInQuick: true,
    run: (quick) =>
      benchGitHubWrites(quick ? { turns: 10, turnMs: 300, intervalSeconds: 1, countTargets: false } : {}),
  },
  {
    group: 'Big output',
    run: (quick) => benchBigOutput(quick ? { bytes: 50 * 2 ** 20, baseline: false } : {}),
  },
  { group: 'Task board', run: (quick) => benchTaskBoard(quick ? { tasks: 1000, runs: 5 } : {}) },
  {
    group: 'Overhead per tool call',
    run: (quick) => benchToolOverhead(quick ? { turns: 3, callsPerTurn: 10 } : {}),
  },
];

interface Args {
  quick: boolean;
  /** '-' for stdout. */
  json: string | undefined;
  only: string[] | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, json: undefined, only: undefined };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg === '--json') args.json = '-';
    else if (arg.startsWith('--json=')) args.json = arg.slice('--json='.length) || '-';
    else if (arg.startsWith('--only='))
      args.only = arg
        .slice('--only='.length)
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
    else throw new Error(`unknown argument ${arg}: use --quick, --json, --json=FILE or --only=a,b`);
  }
  return args;
}

function commit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return null;
  }
}

const load = (): number => Math.round((loadavg()[0] ?? 0) * 100) / 100;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const table = args.json === '-' ? process.stderr : process.stdout;
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const cpus = availableParallelism();
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadAtStart = load();
  const warnings: string[] = [];
  const stale = staleDistWarning();
  if (stale) warnings.push(stale);
  if (loadAtStart > cpus / 2)
    warnings.push(
      `the machine was busy (1-minute load ${loadAtStart} on ${cpus} cores at the start): timings are inflated.`,
    );

  const mode = args.quick ? 'quick (smoke scale)' : 'full';
  progress(`taskpilot bench, ${mode}: node ${process.version}, ${cpus} cores, load ${loadAtStart}`);
  const sectionSeconds: Record<string, number> = {};
  const runSection = async (section: Section): Promise<GroupedRow[]> => {
    progress(`▸ ${section.group} …`);
    const t = performance.now();
    let rows: GroupedRow[];
    try {
      rows = (await section.run(args.quick)).map((row) => ({ group: section.group, ...row }));
    } catch (e) {
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      rows = [
        {
          group: section.group,
          name: 'the benchmark itself',
          value: Number.NaN,
          unit: '',
          target: null,
          pass: null,
          note: `${section.group}: the benchmark failed: ${message}`,
        },
      ];
    }
    sectionSeconds[section.group] = Math.round((performance.now() - t) / 100) / 10;
    progress(`  ${section.group}: done in ${sectionSeconds[section.group]} s`);
    return rows;
  };
  const selected = SECTIONS.filter(
    (section) => !args.only || args.only.some((o) => section.group.toLowerCase().includes(o)),
  );
  // Quick mode only: mostly idle sections run beside the others (their smoke checks do not depend on timing).
  const overlapped = new Map(
    selected.filter((s) => args.quick && s.overlapInQuick).map((s) => [s.group, runSection(s)] as const),
  );
  const results = new Map<string, GroupedRow[]>();
  for (const section of selected) {
    if (!overlapped.has(section.group)) results.set(section.group, await runSection(section));
  }
  for (const [group, rows] of overlapped) results.set(group, await rows);
  const rows = selected.flatMap((section) => results.get(section.group) ?? []);
  const durationSeconds = Math.round((performance.now() - started) / 100) / 10;
  const loadAtEnd = load();
  const bad = failed(rows, args.quick);

  const lines = [
    '',
    `taskpilot bench (${mode}), ${startedAt}, commit ${commit() ?? '?'}, node ${process.version}, ${cpus} cores`,
    '',
    formatTable(rows, args.quick),
    '',
    ...rows.flatMap((r) => (r.note ? [`note: ${r.note}`] : [])),
    ...warnings.map((w) => `warning: ${w}`),
    `${durationSeconds} s in all; load ${loadAtStart} at the start, ${loadAtEnd} at the end.`,
    args.quick
      ? `smoke: ${bad ? 'BROKEN' : 'every row ran'} (figures at smoke scale, not compared with the targets).`
      : `${rows.filter((r) => verdictOf(r, false) === 'FAIL').length} of ${rows.filter((r) => r.target !== null).length} targets missed.`,
  ];
  table.write(`${lines.join('\n')}\n`);

  if (args.json !== undefined) {
    const json = {
      version: 1,
      mode: args.quick ? 'quick' : 'full',
      startedAt,
      durationSeconds,
      sectionSeconds,
      commit: commit(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus,
      load: { start: loadAtStart, end: loadAtEnd },
      warnings,
      rows: rows.map((r) => ({ ...r, verdict: verdictOf(r, args.quick) || null })),
    };
    const text = `${JSON.stringify(json, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
    if (args.json === '-') process.stdout.write(text);
    else writeFileSync(args.json, text);
  }
  if (bad) process.exitCode = 1;
}

await main();
