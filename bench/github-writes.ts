import { isTaskpilotBody, readStatusMarker } from '../src/github/markers.js';
import { delayed, text, toolUse, type ReplyLike } from '../test/support/anthropic-emulator.js';
import { describeRun, ISSUE, REPO, startActionEnv } from './action-env.js';
import { check, info, type BenchRow } from './rows.js';

export interface GitHubWritesOptions {
  /** Model turns. Default 60. */
  turns?: number;
  /** Time the emulated model takes per turn. Default 1000 ms (60 turns ≈ 60 s). */
  turnMs?: number;
  /** `progress-interval-seconds`. Default 10. */
  intervalSeconds?: number;
  /** Compare the counts of the clean run with the targets (off for smoke runs). Default true. */
  countTargets?: boolean;
}

const MAX_CREATES = 1;
const MAX_EDITS = 8;
/** Share of GitHub requests answered 502 in the faulty run: half plain, half after applying the request. */
const FAULT_RATE = 0.2;
const FAULT_SEED = 7;

interface Outcome {
  seconds: number;
  creates: number;
  edits: number;
  /** Requests answered 502. */
  faults: number;
  /** taskpilot comments on the issue afterwards. */
  comments: number;
  /** The one comment's final status is done. */
  finalDone: boolean;
}

const commentsPath = `/repos/${REPO}/issues/${ISSUE}/comments`;
const editPath = new RegExp(`^/repos/${REPO}/issues/comments/\\d+$`);

/**
 * GitHub writes: the built action for a comment trigger, the emulated model taking `turnMs` per
 * turn over `turns` turns (each runs `echo`), `progress-interval-seconds` as given. Counts the
 * comment creates (POST …/issues/1/comments) and edits (PATCH …/issues/comments/{id}) the
 * GitHub emulator received, and the taskpilot comments on the issue afterwards.
 *
 * Twice, side by side: a clean run, and one where the emulator answers 502 to 20% of all
 * requests (seeded): half of them plain failures, half after applying the request (a lost
 * response, the case that duplicates a blindly retried POST).
 */
export async function benchGitHubWrites(options: GitHubWritesOptions = {}): Promise<BenchRow[]> {
  const o = { turns: 60, turnMs: 1000, intervalSeconds: 10, countTargets: true, ...options };
  const [clean, faulty] = await Promise.all([oneRun(o, false), oneRun(o, true)]);
  const countRow = (name: string, value: number, max: number): BenchRow =>
    o.countTargets ? check(name, value, '', max, { bound: 'at-most', digits: 0 }) : info(name, value, '', 0);
  return [
    info(`clean run: ${o.turns} turns, progress-interval-seconds ${o.intervalSeconds}`, clean.seconds, 's'),
    countRow('  comment creates (POST)', clean.creates, MAX_CREATES),
    countRow('  comment edits (PATCH)', clean.edits, MAX_EDITS),
    check('  taskpilot comments on the issue afterwards', clean.comments, '', 1, {
      bound: 'at-most',
      digits: 0,
      invariant: true,
    }),
    info(`with ${FAULT_RATE * 100}% 502s (half after applying the request)`, faulty.seconds, 's'),
    info('  requests answered 502', faulty.faults, '', 0),
    info('  POST attempts', faulty.creates, '', 0),
    info('  PATCH attempts', faulty.edits, '', 0),
    check('  duplicate comments', Math.max(0, faulty.comments - 1), '', 0, {
      bound: 'at-most',
      digits: 0,
      invariant: true,
    }),
    check('  one comment, finalized as done', faulty.comments === 1 && faulty.finalDone ? 1 : 0, 'ok', 1, {
      bound: 'min',
      digits: 0,
      invariant: true,
    }),
  ];
}

async function oneRun(o: Required<GitHubWritesOptions>, faults: boolean): Promise<Outcome> {
  const env = await startActionEnv({ seed: FAULT_SEED });
  try {
    const replies: ReplyLike[] = [];
    for (let i = 1; i < o.turns; i++) {
      replies.push(
        delayed(o.turnMs, [toolUse('bash', { command: `echo step ${i}`, run_in_background: false })]),
      );
    }
    replies.push(delayed(o.turnMs, text(`All ${o.turns - 1} steps done.`)));
    env.api.script(...replies);
    if (faults) {
      env.gh.fail({ probability: FAULT_RATE / 2, status: 502 });
      env.gh.fail({ probability: FAULT_RATE / 2 / (1 - FAULT_RATE / 2), status: 502, applyFirst: true });
    }
    const started = performance.now();
    const run = await env.run({
      inputs: { 'progress-interval-seconds': String(o.intervalSeconds), 'max-turns': String(o.turns + 5) },
    });
    const seconds = (performance.now() - started) / 1000;
    if (run.code !== 0 || run.outputs['conclusion'] !== 'success' || run.outputs['turns'] !== String(o.turns))
      throw new Error(
        `github writes${faults ? ' (502s)' : ''}: the run did not succeed: ${describeRun(run)}`,
      );
    const ours = env.gh.comments(REPO, ISSUE).filter((c) => isTaskpilotBody(c.body));
    return {
      seconds,
      creates: env.gh.requestsTo('POST', commentsPath).length,
      edits: env.gh.requestsTo('PATCH', editPath).length,
      faults: env.gh.requests.filter((r) => r.status === 502).length,
      comments: ours.length,
      finalDone: ours.length === 1 && readStatusMarker(ours[0]?.body ?? '') === 'done',
    };
  } finally {
    await env.close();
  }
}
