/**
 * Secret redaction for everything taskpilot writes outside the process: comments, summaries,
 * outputs and error messages. Pure; no @actions/core dependency so the CLI can use it too.
 */

export const REDACTED = '***';

/** Replaces secrets in a text. Must be applied to every body before it leaves the process. */
export type Redactor = (text: string) => string;

/** Secrets shorter than this are ignored: redacting "a" everywhere would destroy the text. */
const MIN_SECRET_LENGTH = 6;

/**
 * Well-known credential shapes, redacted even when the exact value is unknown:
 * GitHub tokens (classic `ghp_`, OAuth `gho_`, user-to-server `ghu_`, server-to-server `ghs_`,
 * refresh `ghr_`, fine-grained `github_pat_`) and Anthropic keys (`sk-ant-`).
 */
const TOKEN_PATTERNS: readonly RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bsk-ant-[A-Za-z0-9_-]{10,}/g,
];

/** Redacts the well-known token shapes only. */
export function redactPatterns(text: string): string {
  let out = text;
  for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/**
 * Builds a redactor for the given secret values plus the well-known token patterns.
 * Each secret is also redacted in its base64 form inside a git Basic auth header
 * (`x-access-token:<token>`), and in its URL-encoded form. Empty or undefined values are skipped.
 */
export function createRedactor(secrets: readonly (string | undefined | null)[]): Redactor {
  const values = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    values.add(secret);
    values.add(encodeURIComponent(secret));
    values.add(Buffer.from(`x-access-token:${secret}`).toString('base64'));
  }
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = [...values].sort((a, b) => b.length - a.length);
  return (text: string): string => {
    let out = text;
    for (const value of ordered) out = out.split(value).join(REDACTED);
    return redactPatterns(out);
  };
}

/**
 * Applies `redact` to every string inside plain data (objects, arrays), returning a copy.
 * Use it on state before rendering: markdown escaping would otherwise split a token
 * (`ghs_x` becomes `ghs\_x`) and hide it from a redactor run on the rendered text.
 */
export function redactDeep<T>(value: T, redact: Redactor): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, redact)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, redact);
    return out as T;
  }
  return value;
}
