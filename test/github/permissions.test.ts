import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubError } from '../../src/github/errors.js';
import {
  authorizeTrigger,
  checkSenderPermission,
  type PermissionConfig,
} from '../../src/github/permissions.js';
import type { GitHubEmulator } from '../support/github-emulator.js';
import { FULL, REPO, fastOctokit, startEmulator } from './helpers.js';

let gh: GitHubEmulator;
const none: PermissionConfig = { allowedUsers: [], allowedBots: [] };
const user = (login: string) => ({ login, type: 'User' });

beforeEach(async () => {
  gh = await startEmulator();
});
afterEach(() => gh.close());

describe('checkSenderPermission', () => {
  it.each(['admin', 'maintain', 'write'])('allows %s', async (role) => {
    gh.setPermission(FULL, 'dev', role);
    await expect(checkSenderPermission(fastOctokit(gh), REPO, user('dev'), none)).resolves.toEqual({
      allowed: true,
      reason: `dev has ${role} access`,
    });
  });

  it.each(['triage', 'read', 'none'])('refuses %s', async (role) => {
    gh.setPermission(FULL, 'viewer', role);
    const decision = await checkSenderPermission(fastOctokit(gh), REPO, user('viewer'), none);
    expect(decision).toEqual({
      allowed: false,
      reason: `viewer has ${role} access; write, maintain or admin is required`,
    });
  });

  it('uses role_name and the legacy permission of a custom role', async () => {
    gh.setPermission(FULL, 'custom', 'release-manager', 'write');
    await expect(checkSenderPermission(fastOctokit(gh), REPO, user('custom'), none)).resolves.toMatchObject({
      allowed: true,
    });
    gh.setPermission(FULL, 'auditor', 'auditor', 'read');
    await expect(checkSenderPermission(fastOctokit(gh), REPO, user('auditor'), none)).resolves.toMatchObject({
      allowed: false,
    });
  });

  it('refuses a user GitHub does not know (404)', async () => {
    await expect(checkSenderPermission(fastOctokit(gh), REPO, user('stranger'), none)).resolves.toEqual({
      allowed: false,
      reason: 'stranger is not a collaborator of octo-org/octo-repo',
    });
  });

  it('allows a user listed in allowed-users without asking GitHub', async () => {
    const decision = await checkSenderPermission(fastOctokit(gh), REPO, user('Outside-Helper'), {
      allowedUsers: ['outside-helper'],
      allowedBots: [],
    });
    expect(decision).toEqual({ allowed: true, reason: 'Outside-Helper is listed in allowed-users' });
    expect(gh.requests).toHaveLength(0);
  });

  it('refuses bots unless listed in allowed-bots, even with write access', async () => {
    gh.setPermission(FULL, 'renovate[bot]', 'write');
    const bot = { login: 'renovate[bot]', type: 'Bot' };
    await expect(checkSenderPermission(fastOctokit(gh), REPO, bot, none)).resolves.toEqual({
      allowed: false,
      reason: 'renovate[bot] is a bot and is not listed in allowed-bots',
    });
    await expect(
      checkSenderPermission(fastOctokit(gh), REPO, bot, { allowedUsers: [], allowedBots: ['renovate'] }),
    ).resolves.toMatchObject({ allowed: true });
    expect(gh.requests).toHaveLength(0);
  });

  it("refuses the action's own bot account", async () => {
    const own = { login: 'github-actions[bot]', type: 'Bot' };
    await expect(checkSenderPermission(fastOctokit(gh), REPO, own, none)).resolves.toMatchObject({
      allowed: false,
    });
  });

  it('throws a GitHubError when the permission cannot be read (fails closed)', async () => {
    gh.setPermission(FULL, 'dev', 'write');
    gh.fail({ status: 500, times: 10 });
    await expect(checkSenderPermission(fastOctokit(gh), REPO, user('dev'), none)).rejects.toBeInstanceOf(
      GitHubError,
    );
  });
});

describe('authorizeTrigger', () => {
  it('trusts schedule and dispatch runs', async () => {
    await expect(
      authorizeTrigger(fastOctokit(gh), REPO, { sender: null, kind: 'schedule' }, none),
    ).resolves.toEqual({
      allowed: true,
      reason: 'schedule runs are trusted',
    });
    expect(gh.requests).toHaveLength(0);
  });

  it('checks the sender of other triggers', async () => {
    gh.setPermission(FULL, 'reader', 'read');
    await expect(
      authorizeTrigger(fastOctokit(gh), REPO, { sender: user('reader'), kind: 'comment' }, none),
    ).resolves.toMatchObject({ allowed: false });
    expect(gh.requestsTo('GET', '/repos/octo-org/octo-repo/collaborators/reader/permission')).toHaveLength(1);
  });
});
