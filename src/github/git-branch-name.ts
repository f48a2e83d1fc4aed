/**
 * Branch names for the work taskpilot delivers (pure). Every name returned here is valid for
 * `git check-ref-format --branch`; invalid input throws BranchNameError.
 */

export const DEFAULT_BRANCH_PREFIX = 'taskpilot/';
/** Longest slug taken from an issue title. */
export const MAX_SLUG_LENGTH = 40;

/** A branch name (or a prefix that would produce one) that git would reject. */
export class BranchNameError extends Error {
  override readonly name = 'BranchNameError';
  readonly branch: string;

  constructor(branch: string) {
    super(`Invalid branch name: ${JSON.stringify(branch)}`);
    this.branch = branch;
  }
}

/**
 * Lowercase ASCII letters, digits and single dashes, at most `maxLength` characters, with no
 * leading or trailing dash; possibly empty. Accents are dropped (é → e, ﬁ → fi); other
 * non-ASCII characters, punctuation and whitespace separate words. A cut prefers a word
 * boundary when one lies in the second half of the limit.
 */
export function slugify(text: string, maxLength: number = MAX_SLUG_LENGTH): string {
  const slug = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= maxLength) return slug;
  let cut = slug.slice(0, maxLength);
  if (slug[maxLength] !== '-') {
    const boundary = cut.lastIndexOf('-');
    if (boundary >= maxLength / 2) cut = cut.slice(0, boundary);
  }
  return cut.replace(/-+$/, '');
}

/**
 * `<prefix>issue-<n>-<slug of title>`, or `<prefix>issue-<n>` when the title has no ASCII
 * letters or digits. The prefix (default `taskpilot/`) is used verbatim.
 */
export function issueBranchName(input: { issueNumber: number; title: string; prefix?: string }): string {
  if (!Number.isSafeInteger(input.issueNumber) || input.issueNumber <= 0) {
    throw new RangeError(`Invalid issue number: ${input.issueNumber}`);
  }
  const slug = slugify(input.title);
  const name = `${input.prefix ?? DEFAULT_BRANCH_PREFIX}issue-${input.issueNumber}${slug ? `-${slug}` : ''}`;
  return assertValidBranchName(name);
}

/**
 * `<prefix><workflow slug>-<yyyymmdd-hhmm>` in UTC, for scheduled and manually dispatched runs
 * (`run` stands in for a workflow name without ASCII letters or digits). Two runs of the same
 * workflow in the same minute get the same name; prepareBranch then reuses the first one's branch.
 */
export function scheduledBranchName(input: { workflow: string; date: Date; prefix?: string }): string {
  const time = input.date.getTime();
  if (Number.isNaN(time)) throw new RangeError('Invalid date');
  const stamp = input.date.toISOString(); // yyyy-mm-ddThh:mm:ss.sssZ, always UTC
  const ymd = stamp.slice(0, 10).replaceAll('-', '');
  const hm = stamp.slice(11, 16).replace(':', '');
  const slug = slugify(input.workflow) || 'run';
  return assertValidBranchName(`${input.prefix ?? DEFAULT_BRANCH_PREFIX}${slug}-${ymd}-${hm}`);
}

/**
 * The rules of `git check-ref-format --branch`: `refs/heads/<name>` must be a valid ref, and
 * the name must not start with `-` or be `HEAD`. No component may start with `.` or end with
 * `.lock`; no `..`, `@{`, `//`, control characters, space, `~ ^ : ? * [ \`; no leading or
 * trailing `/`, no trailing `.`. Stricter than git in two ways: `@{-1}`-style shorthands, which
 * the git command expands, and `@` alone (valid as `refs/heads/@`, but `@` means HEAD wherever
 * git parses a revision) are rejected.
 */
export function isValidBranchName(name: string): boolean {
  if (name === '' || name === 'HEAD' || name === '@' || name.startsWith('-')) return false;
  if (name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return false;
  if (name.includes('..') || name.includes('@{') || name.includes('//')) return false;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  return name.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

/** Returns `name` when isValidBranchName, else throws BranchNameError. */
export function assertValidBranchName(name: string): string {
  if (!isValidBranchName(name)) throw new BranchNameError(name);
  return name;
}
