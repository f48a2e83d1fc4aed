/**
 * The environment the agent's commands run with: this process's environment minus every
 * variable that carries a credential, or a channel into the runner, that the agent must not use.
 */

/** Removed by exact name (compared upper-cased). */
const REMOVED_NAMES = new Set([
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITHUB_PAT',
  // Workflow-command files: writing to them sets env vars, outputs and PATH entries for later
  // steps (some of which hold secrets), so the agent gets no pointer to them. The files still
  // exist on disk; this is defence in depth, not a sandbox.
  'GITHUB_ENV',
  'GITHUB_PATH',
  'GITHUB_OUTPUT',
  'GITHUB_STATE',
  'GITHUB_STEP_SUMMARY',
  // Credential carriers: an ssh-agent socket signs with the deploy key it holds, and askpass
  // helpers hand out passwords on request. Removing them means git/ssh inside the agent's
  // commands fail instead of authenticating as the workflow.
  'SSH_AUTH_SOCK',
  'GIT_ASKPASS',
  'SSH_ASKPASS',
  // Ad-hoc git config (`git -c` and GIT_CONFIG_KEY_n/VALUE_n) is how tokens are passed as
  // http.extraheader without touching .git/config.
  'GIT_CONFIG_PARAMETERS',
  'GIT_CONFIG_COUNT',
]);

/** Removed by name prefix. */
const REMOVED_PREFIXES = ['ANTHROPIC_', 'INPUT_', 'GIT_CONFIG_KEY_', 'GIT_CONFIG_VALUE_'];

/**
 * ACTIONS_* variables are the runner's service credentials and endpoints (ACTIONS_RUNTIME_TOKEN,
 * ACTIONS_ID_TOKEN_REQUEST_TOKEN/_URL for OIDC, ACTIONS_RESULTS_URL, ACTIONS_CACHE_URL, …). New
 * ones appear over time, so all are removed except these, which only switch on debug logging.
 */
const KEPT_ACTIONS = new Set(['ACTIONS_STEP_DEBUG', 'ACTIONS_RUNNER_DEBUG']);

/** Names ending in _TOKEN, _KEY, _SECRET or _PASSWORD (AWS_SECRET_ACCESS_KEY, NPM_TOKEN, …). */
const SECRET_SUFFIX = /(^|_)(TOKEN|KEY|SECRET|PASSWORD)$/;

/** True when a variable with this name (case-insensitive) must not reach the agent's commands. */
export function isSecretEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  if (REMOVED_NAMES.has(upper)) return true;
  if (REMOVED_PREFIXES.some((prefix) => upper.startsWith(prefix))) return true;
  if (upper.startsWith('ACTIONS_') && !KEPT_ACTIONS.has(upper)) return true;
  return SECRET_SUFFIX.test(upper);
}

/**
 * Returns a copy of `env` without the variables `isSecretEnvName` matches and without
 * undefined values, with GIT_TERMINAL_PROMPT=0 so git fails instead of waiting for a password
 * on a terminal nobody watches. Everything else (PATH, HOME, LANG, RUNNER_*, other GITHUB_*
 * context such as GITHUB_REPOSITORY and GITHUB_SHA) is kept.
 */
export function scrubEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || isSecretEnvName(name)) continue;
    out[name] = value;
  }
  out['GIT_TERMINAL_PROMPT'] = '0';
  return out;
}
