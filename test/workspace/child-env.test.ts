import { describe, expect, it } from 'vitest';
import { isSecretEnvName, scrubEnv } from '../../src/workspace/child-env.js';

describe('scrubEnv', () => {
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/runner',
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_SHA: 'abc',
    GITHUB_WORKSPACE: '/w',
    RUNNER_TEMP: '/tmp/r',
    ACTIONS_STEP_DEBUG: 'true',
    MONKEY: 'banana',
    KEYBOARD: 'us',
    TOKENIZER_PATH: '/t',
    UNSET: undefined,
    ANTHROPIC_API_KEY: 'sk-ant-1',
    ANTHROPIC_BASE_URL: 'http://proxy',
    GITHUB_TOKEN: 'ghs_1',
    GH_TOKEN: 'ghp_1',
    INPUT_ANTHROPIC_API_KEY: 'sk-ant-2',
    INPUT_PROMPT: 'fix it',
    ACTIONS_RUNTIME_TOKEN: 'rt',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc',
    ACTIONS_RESULTS_URL: 'https://results',
    ACTIONS_CACHE_URL: 'https://cache',
    NPM_TOKEN: 'npm',
    AWS_SECRET_ACCESS_KEY: 'aws',
    my_api_key: 'lower',
    Foo_Secret: 'mixed',
    DB_PASSWORD: 'pw',
    GITHUB_ENV: '/runner/env',
    GITHUB_OUTPUT: '/runner/out',
    GITHUB_PATH: '/runner/path',
    SSH_AUTH_SOCK: '/tmp/agent.sock',
    GIT_ASKPASS: '/bin/askpass',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraheader',
    GIT_CONFIG_VALUE_0: 'AUTHORIZATION: basic abc',
    GIT_TERMINAL_PROMPT: '1',
  };

  it('keeps ordinary variables and drops undefined ones', () => {
    const out = scrubEnv(env);
    expect(Object.keys(out).sort()).toEqual(
      [
        'PATH',
        'HOME',
        'LANG',
        'CI',
        'GITHUB_REPOSITORY',
        'GITHUB_SHA',
        'GITHUB_WORKSPACE',
        'RUNNER_TEMP',
        'ACTIONS_STEP_DEBUG',
        'MONKEY',
        'KEYBOARD',
        'TOKENIZER_PATH',
        'GIT_TERMINAL_PROMPT',
      ].sort(),
    );
    expect(out['PATH']).toBe('/usr/bin:/bin');
  });

  it('never lets a credential value through', () => {
    const values = Object.values(scrubEnv(env));
    for (const secret of [
      'sk-ant-1',
      'sk-ant-2',
      'ghs_1',
      'ghp_1',
      'rt',
      'oidc',
      'npm',
      'aws',
      'lower',
      'mixed',
      'pw',
    ]) {
      expect(values).not.toContain(secret);
    }
    expect(values.join('\n')).not.toMatch(/AUTHORIZATION|agent\.sock|askpass/);
  });

  it('forces GIT_TERMINAL_PROMPT=0 and does not modify its input', () => {
    const input = { PATH: '/bin', GIT_TERMINAL_PROMPT: '1' };
    expect(scrubEnv(input)).toEqual({ PATH: '/bin', GIT_TERMINAL_PROMPT: '0' });
    expect(input.GIT_TERMINAL_PROMPT).toBe('1');
  });

  it('matches names case-insensitively', () => {
    expect(isSecretEnvName('anthropic_api_key')).toBe(true);
    expect(isSecretEnvName('Github_Token')).toBe(true);
    expect(isSecretEnvName('x_token')).toBe(true);
    expect(isSecretEnvName('actions_runtime_url')).toBe(true);
    expect(isSecretEnvName('path')).toBe(false);
  });
});
