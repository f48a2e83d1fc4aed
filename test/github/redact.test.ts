import { describe, expect, it } from 'vitest';
import { createRedactor, redactDeep, redactPatterns } from '../../src/github/redact.js';

describe('redaction', () => {
  it('redacts the well-known token shapes', () => {
    const text = [
      'ghp_' + 'a'.repeat(36),
      'ghs_' + 'B'.repeat(36),
      'gho_' + 'c'.repeat(36),
      'github_pat_' + '1'.repeat(22) + '_' + 'x'.repeat(59),
      'sk-ant-api03-' + 'k'.repeat(40),
    ].join(' ');
    expect(redactPatterns(text)).toBe('*** *** *** *** ***');
    expect(redactPatterns('ghp_short and sk-ant-x')).toBe('ghp_short and sk-ant-x');
  });

  it('redacts given secrets, their URL-encoded and git basic-auth forms', () => {
    const token = 'plain/token+value';
    const redact = createRedactor([token, undefined, '', 'ab']);
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    expect(redact(`a ${token} b ${encodeURIComponent(token)} c AUTHORIZATION: basic ${basic}`)).toBe(
      'a *** b *** c AUTHORIZATION: basic ***',
    );
    expect(redact('ab stays')).toBe('ab stays');
  });

  it('redacts strings anywhere in plain data without mutating it', () => {
    const data = { a: ['x secret-value-1 y', 3, null], b: { c: 'secret-value-1' }, d: true };
    expect(redactDeep(data, createRedactor(['secret-value-1']))).toEqual({
      a: ['x *** y', 3, null],
      b: { c: '***' },
      d: true,
    });
    expect(data.b.c).toBe('secret-value-1');
  });
});
