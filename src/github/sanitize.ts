/**
 * Cleaning of untrusted issue and comment text before the model sees it. The rule: remove what
 * a human reading the rendered issue would not see, so nobody can hide instructions for the
 * model in plain sight. Pure.
 *
 * Removed: HTML comments; invisible, bidi-control and tag characters (also as numeric entities);
 * `<script>`, `<style>`, `<template>`, `<noscript>` and `hidden` elements with their content;
 * `alt`, `title` and `aria-label` attributes; markdown image alt text and link titles;
 * reference-style link definitions (`[//]: # (…)` is the usual markdown comment).
 * Kept: `<details>` content (one click away, so visible to reviewers), code blocks, quotes.
 */

/**
 * Format characters (zero-width, bidi controls, soft hyphen, tag characters), Hangul fillers,
 * the combining grapheme joiner, the Mongolian vowel separator, and the variation selectors
 * that are not emoji presentation selectors (all can carry hidden data).
 */
// The class lists combining and control characters on purpose: they are what it removes.
// eslint-disable-next-line no-misleading-character-class
const INVISIBLE = /[\p{Cf}\u034F\u115F\u1160\u180E\u3164\uFFA0\uFE00-\uFE0D\u{E0100}-\u{E01EF}]/gu;
/** C0/C1 controls except tab and newline. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

// eslint-disable-next-line no-misleading-character-class
const INVISIBLE_CHAR = new RegExp(`^(?:${INVISIBLE.source}|${CONTROLS.source})$`, 'u');

function isInvisibleCodePoint(codePoint: number): boolean {
  return codePoint > 0x10ffff || INVISIBLE_CHAR.test(String.fromCodePoint(codePoint));
}

/** Removes invisible and control characters, literal or as numeric HTML entities. */
export function stripInvisible(text: string): string {
  return text
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(/&#(x[0-9a-f]+|\d+);/gi, (entity, code: string) => {
      const value =
        code.startsWith('x') || code.startsWith('X') ? parseInt(code.slice(1), 16) : parseInt(code, 10);
      return isInvisibleCodePoint(value) ? '' : entity;
    })
    .replace(INVISIBLE, '')
    .replace(CONTROLS, '');
}

/** Removes `<!-- … -->` (an unterminated comment hides the rest), repeated until none remain. */
export function stripHtmlComments(text: string): string {
  let out = text;
  for (;;) {
    const next = out.replace(/<!--[\s\S]*?(?:-->|$)/g, '');
    if (next === out) return out;
    out = next;
  }
}

const HIDDEN_ELEMENTS = /<(script|style|template|noscript)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi;
const HIDDEN_ATTRIBUTE =
  /<([a-z][a-z0-9]*)\b[^>]*\s(?:hidden|aria-hidden\s*=\s*["']?true["']?)[^>]*>[\s\S]*?<\/\1\s*>/gi;
const TEXT_ATTRIBUTES = /\s(?:alt|title|aria-label)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi;
const MD_IMAGE = /!\[[^\]]*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
const MD_LINK_TITLE = /(\]\(\s*(?:<[^>]*>|[^\s)]+))\s+(?:"[^"]*"|'[^']*'|\([^)]*\))\s*\)/g;
const MD_REFERENCE_DEFINITION = /^ {0,3}\[[^\]\n]+\]:[ \t]*\S.*(?:\n|$)/gm;

/** Removes hidden HTML and markdown constructs (see the module comment). */
export function stripHiddenMarkup(text: string): string {
  return text
    .replace(HIDDEN_ELEMENTS, '')
    .replace(HIDDEN_ATTRIBUTE, '')
    .replace(/<[a-z][^>]*>/gi, (tag) => tag.replace(TEXT_ATTRIBUTES, ''))
    .replace(MD_IMAGE, '![]($1)')
    .replace(MD_LINK_TITLE, '$1)')
    .replace(MD_REFERENCE_DEFINITION, '');
}

/** Full cleaning of untrusted text: invisible characters, comments, hidden markup, blank runs. */
export function sanitizeUntrusted(text: string): string {
  const cleaned = stripHiddenMarkup(stripHtmlComments(stripInvisible(text)));
  return cleaned
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Wraps untrusted text in `<untrusted_content>` delimiters for the prompt. The text is sanitized,
 * and any delimiter inside it is defused so it cannot close the block early.
 */
export function fenceUntrusted(source: string, text: string): string {
  const body = sanitizeUntrusted(text).replace(/<(\/?)(untrusted_content)/gi, '‹$1$2');
  const label = source.replace(/["<>\n]/g, '');
  return `<untrusted_content source="${label}">\n${body}\n</untrusted_content>`;
}
