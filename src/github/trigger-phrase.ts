/**
 * Where a trigger phrase counts in a comment: as a whole word (case-insensitive), outside code
 * (fenced, indented, inline) and outside `>` quotes, so quoting or documenting the phrase never
 * starts a run. Pure.
 */

/** Replaces code and quoted text with spaces, keeping every other character at its index. */
export function maskNonProse(markdown: string): string {
  const blank = (s: string): string => s.replace(/[^\n]/g, ' ');
  const lines = markdown.split('\n');
  let fence: { char: string; length: number } | null = null;
  let inQuote = false;
  let previousBlank = true;
  let previousCode = false;
  const out = lines.map((line) => {
    const isBlank = line.trim() === '';
    if (fence) {
      const close = new RegExp(`^ {0,3}\\${fence.char}{${fence.length},}\\s*$`);
      if (close.test(line)) fence = null;
      return blank(line);
    }
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (open?.[1]) {
      fence = { char: open[1][0] ?? '`', length: open[1].length };
      previousBlank = false;
      return blank(line);
    }
    if (/^ {0,3}>/.test(line) || (inQuote && !isBlank)) {
      inQuote = true;
      previousBlank = false;
      return blank(line);
    }
    inQuote = false;
    const code = !isBlank && /^( {4}|\t)/.test(line) && (previousBlank || previousCode);
    previousCode = code || (previousCode && isBlank);
    previousBlank = isBlank;
    return code ? blank(line) : line;
  });
  // Inline code spans: a backtick run up to the next run of the same length, within a paragraph.
  return out.join('\n').replace(/(`+)(?!`)(?:(?!\n[ \t]*\n)[\s\S])*?(?<!`)\1(?!`)/g, blank);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export interface PhraseMatch {
  index: number;
  length: number;
  /** True when only whitespace precedes the phrase. */
  atStart: boolean;
}

/** The first counting occurrence of `phrase` in `body`, or null. */
export function findTriggerPhrase(body: string, phrase: string): PhraseMatch | null {
  const needle = phrase.trim();
  if (needle === '') return null;
  const pattern = new RegExp(`(?<![\\w-])${escapeRegExp(needle)}(?![\\w-])`, 'i');
  const match = pattern.exec(maskNonProse(body));
  if (!match) return null;
  return { index: match.index, length: match[0].length, atStart: body.slice(0, match.index).trim() === '' };
}

/**
 * The request a matched comment makes. When the comment starts with the phrase: the text after
 * it. Otherwise the whole comment without the phrase, so a sentence around it keeps its sense.
 * Leading punctuation after the phrase (`/agent: fix it`) is dropped.
 */
export function extractRequest(body: string, match: PhraseMatch): string {
  const after = body.slice(match.index + match.length).replace(/^[ \t]*[:,;.\-–—]+/, '');
  const text = match.atStart ? after : `${body.slice(0, match.index).trimEnd()} ${after.trimStart()}`;
  return text.trim();
}
