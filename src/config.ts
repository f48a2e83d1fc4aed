import * as core from '@actions/core';
import { z } from 'zod';
import { createRedactor, type Redactor } from './github/redact.js';

/** The action's inputs, validated. Built only by parseConfig/readConfig. */
export interface ActionConfig {
  anthropicApiKey: string;
  /** undefined: the SDK default. */
  anthropicBaseUrl: string | undefined;
  githubToken: string;
  /** The request for schedule/dispatch runs; standing instructions for comment and label runs. */
  prompt: string | undefined;
  triggerPhrase: string;
  triggerLabel: string;
  model: string;
  fallbackModel: string | undefined;
  maxTurns: number;
  maxTokens: number;
  timeLimitMinutes: number;
  maxCostUsd: number | undefined;
  /** Lower-cased logins, without `@`. */
  allowedUsers: string[];
  /** Lower-cased bot names, without the `[bot]` suffix. */
  allowedBots: string[];
  tasksDir: string;
  memoryFile: string;
  progressIssue: number | undefined;
  progressIntervalSeconds: number;
  commandTimeoutSeconds: number;
  backgroundTimeoutMinutes: number;
  maxBackgroundJobs: number;
  /** Branch that issue and scheduled runs start from; undefined: the repository's default branch. */
  baseBranch: string | undefined;
  branchPrefix: string;
  createPr: boolean;
  draftPr: boolean;
  commitAuthor: { name: string; email: string };
}

/** One invalid input. `input` is the kebab-case name users write in their workflow. */
export interface ConfigProblem {
  input: string;
  message: string;
}

/** Thrown before any API call when inputs are invalid; the message names every bad input. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => `Input "${p.input}" ${p.message}`).join('\n'));
  }
}

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const decimal = (min: number, max: number, exclusiveMin: boolean) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a non-negative number')
    .transform(Number)
    .pipe(
      (exclusiveMin ? z.number().gt(min, `must be greater than ${min}`) : z.number().min(min)).max(
        max,
        `must be at most ${max}`,
      ),
    );

const nonEmpty = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\r\n]*$/, 'must be a single line');

const modelName = z.string().regex(/^[A-Za-z0-9._:@/-]+$/, 'must be a model id without spaces');

const relativePath = z
  .string()
  .min(1, 'must not be empty')
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(p), 'must be a path relative to the workspace')
  .refine((p) => !p.split(/[\\/]/).includes('..') && !p.includes('\0'), 'must stay inside the workspace');

const loginList = (bots: boolean) =>
  z
    .string()
    .transform((s) =>
      s
        .split(/[,\n]/)
        .map((x) => x.trim().replace(/^@/, ''))
        .filter((x) => x.length > 0),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/,
            'must be a comma-separated list of logins',
          )
          .transform((x) => (bots ? x.replace(/\[bot\]$/, '') : x).toLowerCase()),
      ),
    );

const boolean = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['true', 'false'], { error: 'must be true or false' }))
  .transform((s) => s === 'true');

/** Characters git never allows in a ref name (see git-check-ref-format). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be refused
const REF_FORBIDDEN = /[\s~^:?*[\\\x00-\x1f\x7f]|\.\.|@\{|\/\/|^[-/.]|\.lock(\/|$)/;

/** A branch name, or (`prefix`) the start of one, which may end with a slash. */
const refName = (prefix: boolean) =>
  z
    .string()
    .refine(
      (s) => !REF_FORBIDDEN.test(s) && (prefix || (!s.endsWith('/') && !s.endsWith('.'))),
      'must be a valid branch name',
    );

/** `Name <email>`, as git writes authors. */
const author = z
  .string()
  .regex(/^[^<>\n]+ <[^<>\s]+@[^<>\s]+>$/, 'must look like "Name <email@example.com>"')
  .transform((s) => {
    const m = /^(.+) <(.+)>$/.exec(s);
    return { name: m?.[1]?.trim() ?? s, email: m?.[2] ?? '' };
  });

const httpUrl = z
  .string()
  .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'must be an http(s) URL');

/** Every input: its config key, its schema and its default (the same default as action.yml). */
const INPUTS = {
  anthropicApiKey: { input: 'anthropic-api-key', schema: z.string(), secret: true },
  anthropicBaseUrl: { input: 'anthropic-base-url', schema: httpUrl, optional: true },
  githubToken: { input: 'github-token', schema: nonEmpty(1000), secret: true },
  prompt: { input: 'prompt', schema: z.string(), optional: true },
  triggerPhrase: { input: 'trigger-phrase', schema: nonEmpty(100), default: '/agent' },
  triggerLabel: { input: 'trigger-label', schema: nonEmpty(50), default: 'agent' },
  model: { input: 'model', schema: modelName, default: 'claude-sonnet-5-5' },
  fallbackModel: { input: 'fallback-model', schema: modelName, optional: true },
  maxTurns: { input: 'max-turns', schema: wholeNumber(1, 10_000), default: '60' },
  maxTokens: { input: 'max-tokens', schema: wholeNumber(1, 1_000_000), default: '16000' },
  timeLimitMinutes: { input: 'time-limit-minutes', schema: decimal(0, 7200, true), default: '45' },
  maxCostUsd: { input: 'max-cost-usd', schema: decimal(0, 1_000_000, true), optional: true },
  allowedUsers: { input: 'allowed-users', schema: loginList(false), default: '' },
  allowedBots: { input: 'allowed-bots', schema: loginList(true), default: '' },
  tasksDir: { input: 'tasks-dir', schema: relativePath, default: '.tasks' },
  memoryFile: { input: 'memory-file', schema: relativePath, default: '.memory/MEMORY.md' },
  progressIssue: { input: 'progress-issue', schema: wholeNumber(1, Number.MAX_SAFE_INTEGER), optional: true },
  progressIntervalSeconds: {
    input: 'progress-interval-seconds',
    schema: decimal(0, 3600, false),
    default: '10',
  },
  commandTimeoutSeconds: {
    input: 'command-timeout-seconds',
    schema: decimal(0, 86_400, true),
    default: '120',
  },
  backgroundTimeoutMinutes: {
    input: 'background-timeout-minutes',
    schema: decimal(0, 7200, true),
    default: '30',
  },
  maxBackgroundJobs: { input: 'max-background-jobs', schema: wholeNumber(0, 64), default: '4' },
  baseBranch: { input: 'base-branch', schema: refName(false), optional: true },
  branchPrefix: { input: 'branch-prefix', schema: refName(true), default: 'taskpilot/' },
  createPr: { input: 'create-pr', schema: boolean, default: 'true' },
  draftPr: { input: 'draft-pr', schema: boolean, default: 'true' },
  commitAuthor: {
    input: 'commit-author',
    schema: author,
    default: 'taskpilot[bot] <taskpilot[bot]@users.noreply.github.com>',
  },
} as const satisfies Record<
  keyof ActionConfig,
  { input: string; schema: z.ZodType; default?: string; optional?: true; secret?: true }
>;

/** Kebab-case input names, as in action.yml. */
export type InputName = (typeof INPUTS)[keyof typeof INPUTS]['input'];

/** Defaults by input name, for tests and docs (action.yml must declare the same ones). */
export const INPUT_DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.values(INPUTS).flatMap((spec) =>
    'default' in spec && spec.default ? [[spec.input, spec.default]] : [],
  ),
);

export const INPUT_NAMES: readonly InputName[] = Object.values(INPUTS).map((spec) => spec.input);

/** Environment fallbacks (the Anthropic SDK's own variable names). */
export interface ConfigEnv {
  ANTHROPIC_API_KEY?: string | undefined;
  ANTHROPIC_BASE_URL?: string | undefined;
}

/**
 * Validates raw input strings. `getInput` returns '' for an unset input; values are trimmed,
 * except `prompt`. Throws ConfigError naming every invalid input; never includes secret values
 * in messages.
 */
export function parseConfig(getInput: (name: InputName) => string, env: ConfigEnv = {}): ActionConfig {
  const problems: ConfigProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(INPUTS) as [
    keyof ActionConfig,
    (typeof INPUTS)[keyof ActionConfig],
  ][]) {
    let raw = getInput(spec.input);
    if (key !== 'prompt') raw = raw.trim();
    if (key === 'anthropicApiKey' && raw === '') raw = env.ANTHROPIC_API_KEY?.trim() ?? '';
    if (key === 'anthropicBaseUrl' && raw === '') raw = env.ANTHROPIC_BASE_URL?.trim() ?? '';
    if (raw.trim() === '') {
      if ('optional' in spec) {
        out[key] = undefined;
        continue;
      }
      if ('default' in spec) raw = spec.default;
    }
    if (key === 'anthropicApiKey' && raw === '') {
      problems.push({
        input: spec.input,
        message: 'is required (or set the ANTHROPIC_API_KEY environment variable)',
      });
      continue;
    }
    const result = spec.schema.safeParse(raw);
    if (result.success) {
      out[key] = result.data;
    } else {
      const message = result.error.issues[0]?.message ?? 'is invalid';
      const shown =
        'secret' in spec ? '' : ` (got ${JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw)})`;
      problems.push({ input: spec.input, message: `${message}${shown}` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as unknown as ActionConfig;
}

/** Reads the action inputs through @actions/core (the only getInput caller) and the process env. */
export function readConfig(): ActionConfig {
  return parseConfig((name) => core.getInput(name), {
    ANTHROPIC_API_KEY: process.env['ANTHROPIC_API_KEY'],
    ANTHROPIC_BASE_URL: process.env['ANTHROPIC_BASE_URL'],
  });
}

/** Registers the API key and the token with the runner so its log masks them. */
export function maskSecrets(config: Pick<ActionConfig, 'anthropicApiKey' | 'githubToken'>): void {
  core.setSecret(config.anthropicApiKey);
  core.setSecret(config.githubToken);
}

/** A redactor for every secret in the config plus the well-known token patterns. */
export function configRedactor(config: Pick<ActionConfig, 'anthropicApiKey' | 'githubToken'>): Redactor {
  return createRedactor([config.anthropicApiKey, config.githubToken]);
}
