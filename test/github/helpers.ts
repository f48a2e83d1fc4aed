import { createOctokit, type GitHubClient, type OctokitLog } from '../../src/github/octokit.js';
import { GitHubEmulator } from '../support/github-emulator.js';

export const TOKEN = 'ghs_emulatorTokenABCDEFGHIJKLMNOPQRSTUV';
export const REPO = { owner: 'octo-org', repo: 'octo-repo' };
export const FULL = 'octo-org/octo-repo';

export interface CapturedLog extends OctokitLog {
  warnings: string[];
}

export function captureLog(): CapturedLog {
  const warnings: string[] = [];
  return {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => warnings.push(message),
    error: (message) => warnings.push(message),
  };
}

/** An Octokit against the emulator with instant retries and no write spacing. */
export function fastOctokit(gh: GitHubEmulator, log: OctokitLog = captureLog()): GitHubClient {
  return createOctokit(TOKEN, { baseUrl: gh.url, retryWaitScale: 1, writeSpacingMs: 0, log });
}

/** An emulator with one repository (`octo-org/octo-repo`) that requires TOKEN. */
export async function startEmulator(): Promise<GitHubEmulator> {
  const gh = await GitHubEmulator.start({ token: TOKEN });
  gh.addRepo(FULL);
  return gh;
}
