import { toGitHubError } from './errors.js';
import type { Actor } from './event-payload.js';
import type { RepoRef } from './event.js';
import type { GitHubClient } from './octokit.js';
import type { Trigger } from './trigger.js';

/** The inputs that widen who may trigger. Entries are lower-case; bots without `[bot]`. */
export interface PermissionConfig {
  allowedUsers: readonly string[];
  allowedBots: readonly string[];
}

export type PermissionDecision = { allowed: true; reason: string } | { allowed: false; reason: string };

/** Repository roles that may trigger. Custom roles count through their base `permission`. */
const WRITE_ROLES = new Set(['admin', 'maintain', 'write']);

const normalize = (login: string): string => login.trim().toLowerCase();
const botName = (login: string): string => normalize(login).replace(/\[bot\]$/, '');

/** True for GitHub App and other bot accounts. */
export function isBot(actor: Actor): boolean {
  return actor.type === 'Bot' || /\[bot\]$/i.test(actor.login);
}

/**
 * May `sender` trigger a run in `repo`?
 * - A bot only when listed in `allowedBots` (no API call).
 * - A user listed in `allowedUsers` (no API call).
 * - Otherwise the collaborator permission API must report write, maintain or admin
 *   (`role_name`, or the legacy `permission` for custom roles). 404 (not a collaborator,
 *   unknown user) refuses. `author_association` is never used.
 * Throws GitHubError when the permission cannot be read for another reason (fail closed).
 */
export async function checkSenderPermission(
  octokit: GitHubClient,
  repo: RepoRef,
  sender: Actor,
  config: PermissionConfig,
  signal?: AbortSignal,
): Promise<PermissionDecision> {
  const login = sender.login;
  if (isBot(sender)) {
    return config.allowedBots.some((b) => botName(b) === botName(login))
      ? { allowed: true, reason: `bot ${login} is listed in allowed-bots` }
      : { allowed: false, reason: `${login} is a bot and is not listed in allowed-bots` };
  }
  if (config.allowedUsers.some((u) => normalize(u) === normalize(login))) {
    return { allowed: true, reason: `${login} is listed in allowed-users` };
  }
  let role: string;
  let permission: string;
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
      owner: repo.owner,
      repo: repo.repo,
      username: login,
      ...(signal ? { request: { signal } } : {}),
    });
    role = data.role_name;
    permission = data.permission;
  } catch (error) {
    const gh = toGitHubError(error);
    if (gh.status === 404)
      return { allowed: false, reason: `${login} is not a collaborator of ${repo.owner}/${repo.repo}` };
    throw gh;
  }
  if (WRITE_ROLES.has(role) || WRITE_ROLES.has(permission)) {
    return { allowed: true, reason: `${login} has ${role || permission} access` };
  }
  return {
    allowed: false,
    reason: `${login} has ${role || permission || 'no'} access; write, maintain or admin is required`,
  };
}

/**
 * The permission gate for an accepted trigger. Schedule and dispatch runs (no sender) are
 * trusted: only users with write access can start them.
 */
export async function authorizeTrigger(
  octokit: GitHubClient,
  repo: RepoRef,
  trigger: Pick<Trigger, 'sender' | 'kind'>,
  config: PermissionConfig,
  signal?: AbortSignal,
): Promise<PermissionDecision> {
  if (trigger.sender === null) return { allowed: true, reason: `${trigger.kind} runs are trusted` };
  return checkSenderPermission(octokit, repo, trigger.sender, config, signal);
}
