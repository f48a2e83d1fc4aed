import {
  blocksOf,
  delayed,
  lastToolResults,
  text,
  thinking,
  toolUse,
  type MessagesBody,
  type ReplyBlock,
  type ReplyLike,
  type Responder,
} from '../test/support/anthropic-emulator.js';

/**
 * The demo's scripted model: one realistic session, written as a generator that gets each
 * request body and yields the next reply. It plans three tasks, makes a first fix that is only
 * half right, starts the tests in the background, keeps reading until the job's
 * `<task_notification>` reports the failure, fixes the root cause, re-runs the tests in the
 * foreground and finishes.
 *
 * It throws (the emulator then answers 500 naming the problem, and the run fails) when a tool
 * result is not what the script expects, so the demo never reports a success it did not see.
 */

/** Pause before each answer (ms), so the progress comment visibly changes between turns. */
const PAUSE = { short: 350, normal: 600, long: 800 } as const;

const say = (ms: number, ...blocks: ReplyBlock[]): ReplyLike => delayed(ms, blocks);

type Session = Generator<ReplyLike, void, MessagesBody>;

function* script(): Session {
  let body = yield say(
    PAUSE.long,
    thinking(
      'The changelog shows 2026-30-50 for a release from March 5: the month and day digits are swapped ' +
        'around a zero. Dates come from formatDate. Plan: fix it, run the suite, regenerate CHANGELOG.md.',
    ),
    text("I'll fix the date formatting, check it with the test suite, then regenerate the changelog."),
    toolUse('create_task', {
      subject: 'Fix the month padding in formatDate',
      description: 'src/format-date.js: March must render as 03, not 30.',
    }),
    toolUse('create_task', { subject: 'Run the test suite', blockedBy: ['t1'] }),
    toolUse('create_task', {
      subject: 'Regenerate CHANGELOG.md',
      description: 'node bin/changelog.js > CHANGELOG.md',
      blockedBy: ['t2'],
    }),
  );
  expectOk(body);
  body = yield say(
    PAUSE.normal,
    toolUse('claim_task', { task_id: 't1' }),
    toolUse('read_file', { path: 'src/format-date.js' }),
  );
  expectOk(body);
  body = yield say(
    PAUSE.long,
    thinking('pad() appends the zero: 3 becomes "30". Pad the month on the left.'),
    toolUse('edit_file', {
      path: 'src/format-date.js',
      old_string: 'pad(date.getUTCMonth() + 1)',
      new_string: "String(date.getUTCMonth() + 1).padStart(2, '0')",
    }),
  );
  expectOk(body);
  body = yield say(
    PAUSE.short,
    toolUse('complete_task', { task_id: 't1', result: 'The month is zero-padded on the left.' }),
    toolUse('claim_task', { task_id: 't2' }),
  );
  expectOk(body);
  body = yield say(
    PAUSE.normal,
    text('The full suite includes a slow history test, so it runs in the background.'),
    toolUse('bash', { command: 'node --test', run_in_background: true }),
  );
  expectOk(body);
  const job = /background job (\S+):/.exec(resultText(body))?.[1];
  if (!job) throw new Error(`expected bash to start a background job, got: ${resultText(body)}`);

  // Keep working until the job's end reaches the conversation; wait for it only when out of work.
  const meanwhile: ReplyLike[] = [
    say(
      PAUSE.normal,
      text('While the tests run, I check how the changelog uses formatDate.'),
      toolUse('read_file', { path: 'src/changelog.js' }),
    ),
    say(PAUSE.normal, toolUse('read_file', { path: 'test/format-date.test.js' })),
    say(PAUSE.normal, toolUse('read_file', { path: 'bin/changelog.js' })),
  ];
  let outcome = jobOutcome(body);
  while (outcome === undefined) {
    body = yield meanwhile.shift() ?? say(PAUSE.short, toolUse('job_wait', { id: job, timeout_seconds: 60 }));
    outcome = jobOutcome(body);
  }
  if (!/<status>failed<\/status>|failed \(exit 1\)/.test(outcome)) {
    throw new Error(`expected the first test run to fail (the fix is incomplete), got: ${outcome}`);
  }

  body = yield say(
    PAUSE.long,
    thinking(
      'The month test passes now, but "pads single-digit days" fails: 2026-11-50. The shared pad() helper ' +
        'is the real bug; my first fix only worked around it for the month. Fix pad() and use it again.',
    ),
    text(
      'The suite caught a second case: days are padded on the wrong side too. The root cause is the ' +
        '`pad` helper, so I fix it there instead of at one call site.',
    ),
    toolUse('edit_file', {
      path: 'src/format-date.js',
      old_string: "String(n).padEnd(2, '0')",
      new_string: "String(n).padStart(2, '0')",
    }),
    toolUse('edit_file', {
      path: 'src/format-date.js',
      old_string: "String(date.getUTCMonth() + 1).padStart(2, '0')",
      new_string: 'pad(date.getUTCMonth() + 1)',
    }),
  );
  expectOk(body);
  body = yield say(PAUSE.normal, toolUse('bash', { command: 'node --test', run_in_background: false }));
  expectOk(body);
  const rerun = resultText(body);
  if (!/^# fail 0$/m.test(rerun) || !rerun.endsWith('exit code 0')) {
    throw new Error(`expected the re-run to pass, got:\n${rerun.slice(-1500)}`);
  }
  body = yield say(
    PAUSE.short,
    toolUse('complete_task', { task_id: 't2', result: 'node --test: 5/5 pass.' }),
    toolUse('claim_task', { task_id: 't3' }),
  );
  expectOk(body);
  body = yield say(
    PAUSE.normal,
    toolUse('bash', {
      command: 'node bin/changelog.js > CHANGELOG.md && git diff --stat',
      run_in_background: false,
    }),
  );
  expectOk(body);
  body = yield say(
    PAUSE.short,
    toolUse('complete_task', { task_id: 't3', result: '1.4.0 is 2026-03-05, 1.3.0 is 2026-01-09.' }),
  );
  expectOk(body);
  yield say(
    PAUSE.long,
    text(
      [
        'Fixed the dates in the changelog.',
        '',
        '- **Root cause:** `pad()` in `src/format-date.js` used `padEnd`, so March 5 became `2026-30-50`.',
        '- My first fix only touched the month; the test suite (run in the background) showed that days ' +
          'were wrong too, so the helper itself now uses `padStart`.',
        '- Regenerated `CHANGELOG.md`: 1.4.0 is now `2026-03-05` and 1.3.0 `2026-01-09`.',
        '- `node --test`: 5 of 5 tests pass.',
      ].join('\n'),
    ),
  );
}

/** A Responder that plays the script once; `finished` tells whether it reached the end. */
export function scriptedSession(): { respond: Responder; finished: () => boolean } {
  let session: Session | undefined;
  let finished = false;
  const respond: Responder = (request) => {
    const step = session ? session.next(request.body) : (session = script()).next();
    if (step.done) {
      finished = true;
      return undefined;
    }
    // The final answer is the last yield: the run ends after it, so no request resumes the script.
    if (isFinal(step.value)) finished = true;
    return step.value;
  };
  return { respond, finished: () => finished };
}

const isFinal = (reply: ReplyLike): boolean =>
  'kind' in reply && reply.kind === 'delay' && reply.then.kind === 'message'
    ? !reply.then.content.some((b) => b.type === 'tool_use')
    : false;

/** The text of the last message's tool results, joined. */
function resultText(body: MessagesBody): string {
  return lastToolResults(body)
    .map((r) => (typeof r.content === 'string' ? r.content : JSON.stringify(r.content)))
    .join('\n');
}

/** Throws when a tool the script called answered with an error. */
function expectOk(body: MessagesBody): void {
  const failed = lastToolResults(body).filter((r) => r.is_error === true);
  if (failed.length > 0) {
    throw new Error(`a tool call failed: ${failed.map((r) => JSON.stringify(r.content)).join('; ')}`);
  }
}

/** The background job's end as the model saw it: a `<task_notification>` or a job_wait answer. */
function jobOutcome(body: MessagesBody): string | undefined {
  for (const message of body.messages) {
    if (message.role !== 'user') continue;
    for (const block of blocksOf(message)) {
      const value = block.type === 'text' ? String(block['text']) : '';
      if (value.startsWith('<task_notification>')) return value;
    }
  }
  const previous = body.messages.findLast((m) => m.role === 'assistant');
  const waited =
    previous && blocksOf(previous).some((b) => b.type === 'tool_use' && b['name'] === 'job_wait');
  return waited ? resultText(body) : undefined;
}
