import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  INPUT_DEFAULTS,
  configRedactor,
  maskSecrets,
  parseConfig,
  readConfig,
  type InputName,
} from '../../src/config.js';

const KEY = 'sk-ant-api03-secretsecretsecret';
const TOKEN = 'ghs_abcdefghijklmnopqrstuvwxyz0123456789';

function inputs(values: Partial<Record<InputName, string>>): (name: InputName) => string {
  return (name) => values[name] ?? '';
}

const base = { 'anthropic-api-key': KEY, 'github-token': TOKEN } as const;

function problemsOf(fn: () => unknown): { input: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies the defaults', () => {
    expect(parseConfig(inputs(base))).toEqual({
      anthropicApiKey: KEY,
      anthropicBaseUrl: undefined,
      githubToken: TOKEN,
      prompt: undefined,
      triggerPhrase: '/agent',
      triggerLabel: 'agent',
      model: 'claude-sonnet-5-5',
      fallbackModel: undefined,
      maxTurns: 60,
      maxTokens: 16000,
      timeLimitMinutes: 45,
      maxCostUsd: undefined,
      allowedUsers: [],
      allowedBots: [],
      tasksDir: '.tasks',
      memoryFile: '.memory/MEMORY.md',
      progressIssue: undefined,
      progressIntervalSeconds: 10,
      commandTimeoutSeconds: 120,
      backgroundTimeoutMinutes: 30,
      maxBackgroundJobs: 4,
      baseBranch: undefined,
      branchPrefix: 'taskpilot/',
      createPr: true,
      draftPr: true,
      commitAuthor: { name: 'taskpilot[bot]', email: 'taskpilot[bot]@users.noreply.github.com' },
    });
  });

  it('parses every input', () => {
    const config = parseConfig(
      inputs({
        ...base,
        'anthropic-base-url': 'http://127.0.0.1:9999/',
        prompt: '  Tidy the README\n',
        'trigger-phrase': '@bot',
        'trigger-label': 'ai',
        model: 'claude-opus-5-5',
        'fallback-model': 'claude-haiku-5-5',
        'max-turns': ' 12 ',
        'max-tokens': '4096',
        'time-limit-minutes': '0.5',
        'max-cost-usd': '2.50',
        'allowed-users': '@Alice, bob\ncarol-x',
        'allowed-bots': 'renovate[bot], Dependabot',
        'tasks-dir': 'work/tasks',
        'memory-file': 'notes.md',
        'progress-issue': '7',
        'progress-interval-seconds': '0',
        'command-timeout-seconds': '30',
        'background-timeout-minutes': '5',
        'max-background-jobs': '0',
      }),
    );
    expect(config).toMatchObject({
      anthropicBaseUrl: 'http://127.0.0.1:9999/',
      prompt: '  Tidy the README\n',
      triggerPhrase: '@bot',
      maxTurns: 12,
      timeLimitMinutes: 0.5,
      maxCostUsd: 2.5,
      allowedUsers: ['alice', 'bob', 'carol-x'],
      allowedBots: ['renovate', 'dependabot'],
      progressIssue: 7,
      progressIntervalSeconds: 0,
      maxBackgroundJobs: 0,
    });
  });

  it('falls back to ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL', () => {
    const config = parseConfig(inputs({ 'github-token': TOKEN }), {
      ANTHROPIC_API_KEY: KEY,
      ANTHROPIC_BASE_URL: 'https://proxy.example/anthropic',
    });
    expect(config.anthropicApiKey).toBe(KEY);
    expect(config.anthropicBaseUrl).toBe('https://proxy.example/anthropic');
  });

  it('prefers the inputs over the environment', () => {
    const config = parseConfig(inputs({ ...base, 'anthropic-base-url': 'https://a.example' }), {
      ANTHROPIC_API_KEY: 'sk-ant-other-key-000000',
      ANTHROPIC_BASE_URL: 'https://b.example',
    });
    expect(config.anthropicApiKey).toBe(KEY);
    expect(config.anthropicBaseUrl).toBe('https://a.example');
  });

  it('requires an API key from the input or the environment', () => {
    expect(problemsOf(() => parseConfig(inputs({ 'github-token': TOKEN })))).toEqual([
      {
        input: 'anthropic-api-key',
        message: 'is required (or set the ANTHROPIC_API_KEY environment variable)',
      },
    ]);
  });

  it.each<[InputName, string, string]>([
    ['max-turns', 'abc', 'must be a whole number (got "abc")'],
    ['max-turns', '0', 'must be at least 1'],
    ['max-turns', '2.5', 'must be a whole number'],
    ['max-tokens', '-1', 'must be a whole number'],
    ['time-limit-minutes', '0', 'must be greater than 0'],
    ['time-limit-minutes', '1h', 'must be a non-negative number'],
    ['max-cost-usd', '-5', 'must be a non-negative number (got "-5")'],
    ['max-cost-usd', '0', 'must be greater than 0'],
    ['progress-issue', '#12', 'must be a whole number'],
    ['progress-interval-seconds', 'fast', 'must be a non-negative number'],
    ['command-timeout-seconds', '0', 'must be greater than 0'],
    ['background-timeout-minutes', 'x', 'must be a non-negative number'],
    ['max-background-jobs', '65', 'must be at most 64'],
    ['anthropic-base-url', 'ftp://x', 'must be an http(s) URL'],
    ['anthropic-base-url', 'not a url', 'must be an http(s) URL'],
    ['model', 'claude sonnet', 'must be a model id without spaces'],
    ['fallback-model', 'a b', 'must be a model id without spaces'],
    ['allowed-users', 'alice, bob smith', 'must be a comma-separated list of logins'],
    ['allowed-bots', 'ok, -bad', 'must be a comma-separated list of logins'],
    ['tasks-dir', '/etc/tasks', 'must be a path relative to the workspace'],
    ['memory-file', '../outside.md', 'must stay inside the workspace'],
    ['trigger-label', 'x'.repeat(51), 'must be at most 50 characters'],
  ])('names the input %s when it is %j', (input, value, message) => {
    const problems = problemsOf(() => parseConfig(inputs({ ...base, [input]: value })));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.input).toBe(input);
    expect(problems[0]?.message).toContain(message);
  });

  it('reports every bad input at once, in a message that names them', () => {
    let error: unknown;
    try {
      parseConfig(inputs({ ...base, 'max-turns': 'many', 'max-cost-usd': '-1' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'Input "max-turns" must be a whole number (got "many")\n' +
        'Input "max-cost-usd" must be a non-negative number (got "-1")',
    );
  });

  it('never shows a secret value in an error', () => {
    const problems = problemsOf(() =>
      parseConfig(inputs({ ...base, 'github-token': ' ', 'max-turns': 'x' })),
    );
    expect(problems.map((p) => p.input)).toEqual(['github-token', 'max-turns']);
    const bad = 'ghp_' + 'x'.repeat(36) + '\nsecond line';
    const message = new ConfigError(problemsOf(() => parseConfig(inputs({ ...base, 'github-token': bad }))))
      .message;
    expect(message).toContain('github-token');
    expect(message).not.toContain('ghp_');
  });
});

describe('readConfig', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads INPUT_* variables the way the runner sets them', () => {
    vi.stubEnv('INPUT_ANTHROPIC-API-KEY', KEY);
    vi.stubEnv('INPUT_GITHUB-TOKEN', TOKEN);
    vi.stubEnv('INPUT_MAX-TURNS', '7');
    vi.stubEnv('INPUT_ALLOWED-USERS', 'octocat');
    vi.stubEnv('ANTHROPIC_BASE_URL', 'http://127.0.0.1:1');
    const config = readConfig();
    expect(config.maxTurns).toBe(7);
    expect(config.allowedUsers).toEqual(['octocat']);
    expect(config.anthropicBaseUrl).toBe('http://127.0.0.1:1');
  });

  it('fails naming the input', () => {
    vi.stubEnv('INPUT_ANTHROPIC-API-KEY', KEY);
    vi.stubEnv('INPUT_GITHUB-TOKEN', TOKEN);
    vi.stubEnv('INPUT_MAX-COST-USD', '-3');
    expect(() => readConfig()).toThrow('Input "max-cost-usd"');
  });
});

describe('secrets', () => {
  it('masks the key and the token with the runner', () => {
    const writes: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      maskSecrets({ anthropicApiKey: KEY, githubToken: TOKEN });
    } finally {
      spy.mockRestore();
    }
    expect(writes.join('')).toContain(`::add-mask::${KEY}`);
    expect(writes.join('')).toContain(`::add-mask::${TOKEN}`);
  });

  it('builds a redactor for both', () => {
    const redact = configRedactor({ anthropicApiKey: KEY, githubToken: 'plain-token-value' });
    expect(redact(`a ${KEY} b plain-token-value c`)).toBe('a *** b *** c');
  });
});

it('exports the defaults by input name', () => {
  expect(INPUT_DEFAULTS['max-turns']).toBe('60');
  expect(INPUT_DEFAULTS['trigger-phrase']).toBe('/agent');
});
