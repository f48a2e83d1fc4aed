/** Terminal output for the demo: plain sequential prints (they read the same in a CI log). */

const WIDTH = 96;

export const print = (line = ''): void => void process.stdout.write(`${line}\n`);

/** `── title ─────…` across the width. */
export function rule(title: string): string {
  const head = `── ${title} `;
  return head + '─'.repeat(Math.max(3, WIDTH - head.length));
}

/** Each line indented, for blocks of text under a rule. */
export const indent = (text: string, by = '  '): string =>
  text
    .split('\n')
    .map((line) => (line === '' ? '' : by + line))
    .join('\n');

/**
 * The comment as a person reads it: hidden markers and `<sub>` / `<b>` tags dropped, markdown
 * backslash escapes removed, runs of blank lines collapsed.
 */
export function compactComment(body: string): string {
  return body
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\/?(sub|b)>/g, '')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/\u200B/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Seconds since `start`, e.g. `4.2s`. */
export const elapsed = (start: number): string => `${((Date.now() - start) / 1000).toFixed(1)}s`;

/** `key  value` lines, keys padded to one column. */
export function keyValues(entries: Record<string, string>): string {
  const width = Math.max(0, ...Object.keys(entries).map((k) => k.length));
  return Object.entries(entries)
    .map(([k, v]) => `${k.padEnd(width)}  ${v === '' ? "''" : v}`)
    .join('\n');
}
