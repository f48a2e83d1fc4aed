/** Formatting helpers for markdown that GitHub renders (pure). */

/** `0.4s`, `45s`, `3m 12s`, `1h 02m`. Negative or non-finite values show as `0s`. */
export function formatDuration(ms: number): string {
  if (Number.isFinite(ms) && ms > 0 && ms < 10_000) return `${(Math.floor(ms / 100) / 10).toString()}s`;
  const total = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** `950`, `12.3k`, `1.25M`. */
export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 2 : 1).replace(/\.?0+$/, '')}k`;
  return `${(n / 1_000_000).toFixed(2).replace(/\.?0+$/, '')}M`;
}

/** `$0.042`, `$1.30`. */
export function formatUsd(n: number): string {
  return `$${n.toFixed(n < 1 ? 3 : 2)}`;
}

/** Cuts to `max` characters, ending with `…` when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Breaks `@login` mentions (so edits never notify anyone) with a zero-width space. */
export function breakMentions(text: string): string {
  return text.replace(/(^|[^\w`])@(?=[A-Za-z0-9])/g, '$1@\u200B');
}

/** Plain text as one line of markdown: whitespace collapsed, markup escaped, mentions broken. */
export function inlineText(text: string, max = 200): string {
  const line = truncate(text.replace(/\s+/g, ' ').trim(), max);
  return breakMentions(line.replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`));
}

/**
 * Text as one inline code span, safe inside a table cell: whitespace collapsed, `|` escaped,
 * the fence longer than any backtick run inside.
 */
export function inlineCode(text: string, max = 80): string {
  const line = truncate(text.replace(/\s+/g, ' ').trim(), max).replace(/\|/g, '\\|');
  if (line === '') return '';
  const longest = Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = line.startsWith('`') || line.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}

/**
 * Markdown written by the model (the final summary) made safe to embed: HTML comments removed
 * (no marker spoofing), mentions broken, cut to `max` characters.
 */
export function embedMarkdown(text: string, max: number): string {
  const clean = breakMentions(text.replace(/<!--[\s\S]*?(?:-->|$)/g, '')).trim();
  return clean.length <= max
    ? clean
    : `${clean.slice(0, max)}\n\n_… truncated (${clean.length - max} more characters)_`;
}

/**
 * Keeps whole lines while they fit in `budget` characters; when some are left out, ends with
 * `note(count)`. Returns the kept lines joined with newlines.
 */
export function fitLines(
  lines: readonly string[],
  budget: number,
  note: (omitted: number) => string,
): string {
  const out: string[] = [];
  let used = 0;
  for (const [index, line] of lines.entries()) {
    if (used + line.length + 1 > budget) {
      out.push(note(lines.length - index));
      break;
    }
    out.push(line);
    used += line.length + 1;
  }
  return out.join('\n');
}

/** Wraps `content` in a collapsed `<details>` block. */
export function details(summary: string, content: string): string {
  return `<details><summary>${summary}</summary>\n\n${content}\n\n</details>`;
}
