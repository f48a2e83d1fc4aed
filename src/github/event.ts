import { readFileSync } from 'node:fs';
import { parsePayload, payloadRepository, PayloadError, type GitHubEvent } from './event-payload.js';

export type { Actor, Comment, GitHubEvent, ReviewComment, Thread } from './event-payload.js';
export { PayloadError } from './event-payload.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

/** Everything taskpilot knows about the workflow run, read once from the environment. */
export interface RunContext {
  eventName: string;
  event: GitHubEvent;
  repo: RepoRef;
  runId: number;
  runAttempt: number;
  /** e.g. https://github.com */
  serverUrl: string;
  /** e.g. https://api.github.com; pass it to createOctokit as `baseUrl`. */
  apiUrl: string;
  /** Link to the workflow run page. */
  runUrl: string;
  /** The login that started the workflow (`GITHUB_ACTOR`). */
  actor: string;
  /** The login that started this attempt (`GITHUB_TRIGGERING_ACTOR`; differs on re-runs). */
  triggeringActor: string;
  workspace: string | undefined;
  /**
   * The repository's default branch as the payload's `repository` gives it, or null: when the
   * payload has none (schedule runs), describes another repository, or this is a re-run (its
   * payload is the original event's; the branch may have been renamed since).
   */
  defaultBranch: string | null;
  sha: string | undefined;
  ref: string | undefined;
  workflow: string | undefined;
}

/** The environment is missing a variable or holds an unusable value, or the payload is unreadable. */
export class EventError extends Error {
  override readonly name = 'EventError';
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new EventError(`${name} is not set: taskpilot must run inside a GitHub Actions job`);
  return value;
}

function positiveInt(env: Env, name: string, fallback?: number): number {
  const raw = env[name]?.trim();
  if (!raw && fallback !== undefined) return fallback;
  const value = Number(required(env, name));
  if (!Number.isSafeInteger(value) || value < 1)
    throw new EventError(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

const stripSlash = (url: string): string => url.replace(/\/+$/, '');

/**
 * Reads the GITHUB_* environment and the event payload file (the only GITHUB_* reader).
 * Throws EventError for a missing variable or an unreadable file, PayloadError (via EventError
 * message) for a payload that does not match its event name.
 */
export function readRunContext(
  env: Env = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): RunContext {
  const eventName = required(env, 'GITHUB_EVENT_NAME');
  const full = required(env, 'GITHUB_REPOSITORY');
  const [owner, repo, ...rest] = full.split('/');
  if (!owner || !repo || rest.length > 0)
    throw new EventError(`GITHUB_REPOSITORY must be "owner/repo", got "${full}"`);
  const runId = positiveInt(env, 'GITHUB_RUN_ID');
  const runAttempt = positiveInt(env, 'GITHUB_RUN_ATTEMPT', 1);
  const serverUrl = stripSlash(env['GITHUB_SERVER_URL']?.trim() || 'https://github.com');
  const apiUrl = stripSlash(env['GITHUB_API_URL']?.trim() || 'https://api.github.com');

  const path = required(env, 'GITHUB_EVENT_PATH');
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new EventError(`Cannot read the event payload at ${path}: ${(error as Error).message}`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    throw new EventError(`The event payload at ${path} is not valid JSON`);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new EventError(`The event payload at ${path} is not a JSON object`);
  }
  let event: GitHubEvent;
  try {
    event = parsePayload(eventName, payload);
  } catch (error) {
    if (error instanceof PayloadError) throw new EventError(`${error.message} (${path})`);
    throw error;
  }

  const opt = (name: string): string | undefined => env[name]?.trim() || undefined;
  return {
    eventName,
    event,
    repo: { owner, repo },
    runId,
    runAttempt,
    serverUrl,
    apiUrl,
    runUrl: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}${runAttempt > 1 ? `/attempts/${runAttempt}` : ''}`,
    actor: opt('GITHUB_ACTOR') ?? '',
    triggeringActor: opt('GITHUB_TRIGGERING_ACTOR') ?? opt('GITHUB_ACTOR') ?? '',
    workspace: opt('GITHUB_WORKSPACE'),
    defaultBranch: runAttempt === 1 ? payloadDefaultBranch(payload, full) : null,
    sha: opt('GITHUB_SHA'),
    ref: opt('GITHUB_REF'),
    workflow: opt('GITHUB_WORKFLOW'),
  };
}

function payloadDefaultBranch(payload: object, fullName: string): string | null {
  const repository = payloadRepository(payload);
  return repository?.fullName.toLowerCase() === fullName.toLowerCase() ? repository.defaultBranch : null;
}
