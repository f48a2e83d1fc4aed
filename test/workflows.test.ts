import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The example workflows in examples/ are copied by users into their repositories, so these are
 * the properties a maintainer relies on when doing so: least privilege, one run at a time per
 * thread, a job timeout the agent's own time limit fits under, the checkout before the action,
 * the API key from a secret, and only inputs that action.yml declares.
 */

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mapping(value: unknown, where: string): Mapping {
  if (!isMapping(value)) throw new Error(`${where}: expected a mapping, got ${JSON.stringify(value)}`);
  return value;
}

function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}

function readYaml(path: string): Mapping {
  return mapping(parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as unknown, path);
}

/** Collapses whitespace, so that expressions folded over several lines compare as one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const action = readYaml('../action.yml');
const actionInputs = mapping(action['inputs'], 'action.yml inputs');
const inputNames = new Set(Object.keys(actionInputs));

function inputDefault(name: string): string {
  const value = mapping(actionInputs[name], `action.yml inputs.${name}`)['default'];
  if (typeof value !== 'string') throw new Error(`action.yml inputs.${name} has no default`);
  return value;
}

const ACTION = 'taskpilot/taskpilot@';
const EXAMPLES = ['comment.yml', 'label.yml', 'schedule.yml'];

interface Example {
  file: string;
  text: string;
  workflow: Mapping;
  /** The one job that runs the action. */
  job: Mapping;
  steps: Mapping[];
  /** The `with:` of the action step. */
  inputs: Mapping;
}

function loadExample(file: string): Example {
  const text = readFileSync(new URL(`../examples/${file}`, import.meta.url), 'utf8');
  const workflow = mapping(parse(text) as unknown, file);
  const jobs = Object.entries(mapping(workflow['jobs'], `${file} jobs`));
  const withAction = jobs.filter(([, job]) =>
    list(mapping(job, file)['steps'], `${file} steps`).some((step) =>
      String(mapping(step, file)['uses']).startsWith(ACTION),
    ),
  );
  expect(withAction, `${file}: exactly one job uses ${ACTION}`).toHaveLength(1);
  const job = mapping(withAction[0]?.[1], file);
  const steps = list(job['steps'], `${file} steps`).map((step) => mapping(step, file));
  const actionStep = steps.find((step) => String(step['uses']).startsWith(ACTION));
  return { file, text, workflow, job, steps, inputs: mapping(actionStep?.['with'], `${file} action with`) };
}

const examples = EXAMPLES.map(loadExample);
const byName = (file: string): Example => {
  const example = examples.find((e) => e.file === file);
  if (!example) throw new Error(`no example ${file}`);
  return example;
};

describe('examples/', () => {
  it('holds the documented examples and nothing unchecked', () => {
    const files = readdirSync(new URL('../examples/', import.meta.url)).filter((f) => /\.ya?ml$/.test(f));
    expect(files.sort()).toEqual([...EXAMPLES].sort());
  });

  describe.each(examples)('$file', (example) => {
    const { file, text, workflow, job, steps, inputs } = example;

    it('says at the top to pin a release or a SHA instead of @v1', () => {
      const header = text.slice(0, text.search(/^[^#\n]/m));
      expect(header).toMatch(/pin a release/i);
      expect(header).toMatch(/SHA/);
      const uses = steps.map((s) => s['uses']).filter((u) => String(u).startsWith(ACTION));
      expect(uses).toEqual(['taskpilot/taskpilot@v1']);
    });

    it('declares its permissions, scope by scope, with no write-all or read-all', () => {
      const permissions = job['permissions'] ?? workflow['permissions'];
      expect(isMapping(permissions), `${file}: permissions must be a per-scope mapping`).toBe(true);
      expect(text).not.toMatch(/write-all|read-all/);
      for (const [scope, level] of Object.entries(mapping(permissions, file))) {
        expect(`${scope}: ${String(level)}`).toMatch(/^[a-z-]+: (read|write|none)$/);
      }
      expect(mapping(permissions, file)).toMatchObject({ contents: 'write' });
    });

    it('queues its runs: a concurrency group with cancel-in-progress false', () => {
      const concurrency = mapping(job['concurrency'] ?? workflow['concurrency'], `${file} concurrency`);
      expect(concurrency['group']).toEqual(expect.stringContaining('taskpilot-'));
      expect(concurrency['cancel-in-progress']).toBe(false);
    });

    it("has a job timeout above the action's time limit", () => {
      const limit = Number(inputs['time-limit-minutes'] ?? inputDefault('time-limit-minutes'));
      expect(limit).toBeGreaterThan(0);
      expect(job['timeout-minutes']).toEqual(expect.any(Number));
      expect(Number(job['timeout-minutes'])).toBeGreaterThan(limit);
    });

    it('checks out the repository with full history before the action, without persisting the token', () => {
      const checkout = steps.findIndex((s) => String(s['uses']).startsWith('actions/checkout@'));
      const run = steps.findIndex((s) => String(s['uses']).startsWith(ACTION));
      expect(checkout).toBeGreaterThanOrEqual(0);
      expect(checkout).toBeLessThan(run);
      const options = mapping(steps[checkout]?.['with'], `${file} checkout with`);
      expect(options['fetch-depth']).toBe(0);
      expect(options['persist-credentials']).toBe(false);
    });

    it('passes the Anthropic API key from a secret', () => {
      expect(inputs['anthropic-api-key']).toBe('${{ secrets.ANTHROPIC_API_KEY }}');
    });

    it('uses only inputs that action.yml declares', () => {
      expect(inputNames.size).toBeGreaterThan(0);
      for (const name of Object.keys(inputs)) {
        expect(inputNames.has(name), `${file}: input "${name}" is not in action.yml`).toBe(true);
      }
    });
  });

  describe('comment.yml', () => {
    const { workflow, job, steps } = byName('comment.yml');
    const condition = String(job['if']);
    const group = oneLine(String(mapping(job['concurrency'], 'concurrency')['group']));

    it('runs on new issue, pull request and review comments', () => {
      expect(workflow['on']).toEqual({
        issue_comment: { types: ['created'] },
        pull_request_review_comment: { types: ['created'] },
      });
    });

    it("pre-filters on the action's default trigger phrase", () => {
      expect(condition).toBe(`contains(github.event.comment.body, '${inputDefault('trigger-phrase')}')`);
    });

    it('queues per issue or PR, and keeps skipped comments and stop commands out of that queue', () => {
      expect(group).toContain(
        "format('taskpilot-{0}', github.event.issue.number || github.event.pull_request.number)",
      );
      // The same predicate as `if:`, so every run the job skips lands in a private group.
      expect(group).toContain(`!(${condition}) && format('taskpilot-skipped-{0}', github.run_id)`);
      expect(group).toContain(
        `startsWith(github.event.comment.body, '${inputDefault('trigger-phrase')} stop') && format('taskpilot-stop-{0}', github.run_id)`,
      );
    });

    it('asks for actions: write, which `/agent stop` needs to cancel runs', () => {
      expect(workflow['permissions']).toEqual({
        contents: 'write',
        issues: 'write',
        'pull-requests': 'write',
        actions: 'write',
      });
    });

    it("checks out a review comment's PR head branch (empty, hence the default branch, otherwise)", () => {
      const checkout = steps.find((s) => String(s['uses']).startsWith('actions/checkout@'));
      expect(mapping(checkout?.['with'], 'checkout')['ref']).toBe(
        '${{ github.event.pull_request.head.ref }}',
      );
    });
  });

  describe('label.yml', () => {
    const { workflow, job, steps } = byName('label.yml');
    const condition = oneLine(String(job['if']));
    const group = oneLine(String(mapping(job['concurrency'], 'concurrency')['group']));

    it('runs on opened or labelled issues and labelled pull requests', () => {
      expect(workflow['on']).toEqual({
        issues: { types: ['opened', 'labeled'] },
        pull_request: { types: ['labeled'] },
      });
    });

    it("pre-filters on the action's default trigger label", () => {
      const label = inputDefault('trigger-label');
      expect(condition).toContain(`github.event.label.name == '${label}'`);
      expect(condition).toContain(`contains(github.event.issue.labels.*.name, '${label}')`);
    });

    it('queues per issue or PR, and keeps skipped events out of that queue', () => {
      expect(group).toContain(
        "format('taskpilot-{0}', github.event.issue.number || github.event.pull_request.number)",
      );
      expect(group).toContain(`!(${condition}) && format('taskpilot-skipped-{0}', github.run_id)`);
    });

    it("has the comment workflow's permissions but actions: write", () => {
      expect(workflow['permissions']).toEqual({
        contents: 'write',
        issues: 'write',
        'pull-requests': 'write',
      });
    });

    it("checks out a pull request's head branch", () => {
      const checkout = steps.find((s) => String(s['uses']).startsWith('actions/checkout@'));
      expect(mapping(checkout?.['with'], 'checkout')['ref']).toBe(
        '${{ github.event.pull_request.head.ref }}',
      );
    });
  });

  describe('schedule.yml', () => {
    const { workflow, inputs } = byName('schedule.yml');
    const on = mapping(workflow['on'], 'on');

    it('runs weekly and on demand with an optional prompt', () => {
      const [cron] = list(on['schedule'], 'schedule').map((entry) =>
        String(mapping(entry, 'schedule')['cron']),
      );
      // minute hour day-of-month month day-of-week: one fixed weekday.
      expect(cron).toMatch(/^\d+ \d+ \* \* [0-6]$/);
      const dispatch = mapping(mapping(on['workflow_dispatch'], 'workflow_dispatch')['inputs'], 'inputs');
      expect(dispatch['prompt']).toMatchObject({ required: false, type: 'string' });
    });

    it('prefers the dispatch prompt and reports on a progress issue', () => {
      expect(inputs['prompt']).toMatch(/^\$\{\{ inputs\.prompt \|\| /);
      expect(String(inputs['progress-issue'])).toMatch(/^[1-9]\d*$/);
    });

    it('does not ask for actions: write', () => {
      expect(workflow['permissions']).not.toHaveProperty('actions');
    });
  });
});

describe('.github/workflows/', () => {
  it.each(['ci.yml', 'check-dist.yml'])('%s only reads the repository', (file) => {
    const workflow = readYaml(`../.github/workflows/${file}`);
    expect(workflow['permissions']).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(mapping(workflow['jobs'], `${file} jobs`))) {
      expect({ name, permissions: mapping(job, name)['permissions'] }).toEqual({
        name,
        permissions: undefined,
      });
    }
  });
});
