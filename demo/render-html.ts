/**
 * A small markdown → HTML converter for what the progress comment uses (headings, paragraphs
 * with GitHub's hard line breaks, lists and checklists, block quotes, tables, fenced code,
 * code spans, links, bold, italics, backslash escapes), and the standalone page around it.
 *
 * Not a general markdown parser. Everything is HTML-escaped except a short list of tags the
 * comment writes itself (details, summary, sub, b, br), so model text cannot inject markup;
 * links keep only http(s) and relative URLs.
 */

const ALLOWED_TAGS = /&lt;(\/?)(details|summary|sub|b|br)&gt;/g;

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

/** One line (or table cell) of inline markdown as HTML. */
export function inlineHtml(source: string): string {
  const held: string[] = [];
  const hold = (html: string): string => `\uE000${held.push(html) - 1}\uE000`;
  // One left-to-right pass, so `\`` is a literal backtick, and a backslash inside code is literal.
  let s = source.replace(
    /\\([!-/:-@[-`{-~])|(`+)([\s\S]*?[^`])\2(?!`)/g,
    (_m, escaped: string | undefined, _fence: string, code: string) => {
      if (escaped !== undefined) return hold(escapeHtml(escaped));
      const trimmed = /^ .* $/.test(code) ? code.slice(1, -1) : code;
      return hold(`<code>${escapeHtml(trimmed)}</code>`);
    },
  );
  s = escapeHtml(s).replace(ALLOWED_TAGS, '<$1$2>');
  s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (m, label: string, url: string) => {
    const safe = /^(https?:\/\/|\/|#|\.)/.test(url) ? url : null;
    return safe ? `${hold(`<a href="${safe}">`)}${label}${hold('</a>')}` : m;
  });
  s = s.replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '<strong>$1</strong>');
  s = s.replace(/(^|[\s(])_(?=\S)([^_]*?\S)_(?=$|[\s).,:;!?])/g, '$1<em>$2</em>');
  return s.replace(/\uE000(\d+)\uE000/g, (_m, i: string) => held[Number(i)] ?? '');
}

const LIST_ITEM = /^\s*[-*] (.*)$/;
const TABLE_ROW = /^\s*\|.*\|\s*$/;

/** Splits a table row on unescaped pipes; `\|` inside a cell is a literal pipe. */
function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

function table(rows: string[]): string {
  const [head = '', , ...body] = rows;
  const th = cells(head)
    .map((c) => `<th>${inlineHtml(c)}</th>`)
    .join('');
  const trs = body.map(
    (r) =>
      `<tr>${cells(r)
        .map((c) => `<td>${inlineHtml(c)}</td>`)
        .join('')}</tr>`,
  );
  return `<table><thead><tr>${th}</tr></thead><tbody>${trs.join('')}</tbody></table>`;
}

function list(items: string[]): string {
  const lis = items.map((item) => {
    const box = /^\[( |x)\] (.*)$/i.exec(item);
    if (!box) return `<li>${inlineHtml(item)}</li>`;
    const checked = box[1] === ' ' ? '' : ' checked';
    return `<li class="task"><input type="checkbox" disabled${checked}> ${inlineHtml(box[2] ?? '')}</li>`;
  });
  return `<ul>${lis.join('')}</ul>`;
}

/** Markdown (GitHub comment flavour, the subset above) as an HTML fragment. */
export function markdownToHtml(markdown: string): string {
  const lines = markdown.replace(/<!--[\s\S]*?-->/g, '').split('\n');
  const out: string[] = [];
  let i = 0;
  const take = (test: (line: string) => boolean): string[] => {
    const taken: string[] = [];
    while (i < lines.length && test(lines[i] ?? '')) taken.push(lines[i++] ?? '');
    return taken;
  };
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    if (line.trim() === '') i++;
    else if (heading) {
      const level = heading[1]?.length ?? 1;
      out.push(`<h${level}>${inlineHtml(heading[2] ?? '')}</h${level}>`);
      i++;
    } else if (line.startsWith('```')) {
      i++;
      const code = take((l) => !l.startsWith('```'));
      i++;
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
    } else if (line.startsWith('>')) {
      const quoted = take((l) => l.startsWith('>')).map((l) => inlineHtml(l.replace(/^> ?/, '')));
      out.push(`<blockquote><p>${quoted.join('<br>')}</p></blockquote>`);
    } else if (LIST_ITEM.test(line)) {
      out.push(list(take((l) => LIST_ITEM.test(l)).map((l) => LIST_ITEM.exec(l)?.[1] ?? '')));
    } else if (TABLE_ROW.test(line) && TABLE_ROW.test(lines[i + 1] ?? '')) {
      out.push(table(take((l) => TABLE_ROW.test(l))));
    } else {
      const stop = (l: string) => l.trim() === '' || /^(#{1,6} |```|>|\s*[-*] )/.test(l) || TABLE_ROW.test(l);
      const paragraph = [line, ...(i++, take((l) => !stop(l)))];
      const html = paragraph.map(inlineHtml).join('<br>\n');
      out.push(/^<\/?(details|summary)>/.test(html) ? html : `<p>${html}</p>`);
    }
  }
  return out.join('\n');
}

export interface PageInput {
  repo: string;
  issue: { number: number; title: string; body: string; author: string; labels: string[] };
  comment: { author: string; markdown: string };
}

/** A standalone page: the issue as GitHub shows it, with the progress comment under it. */
export function progressPage(input: PageInput): string {
  const { issue, comment } = input;
  const labels = issue.labels.map((l) => `<span class="label">${escapeHtml(l)}</span>`).join(' ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${issue.title} · #${issue.number} · ${input.repo}`)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<p class="repo">${escapeHtml(input.repo)} · taskpilot demo (local emulators, scripted model)</p>
<h1>${escapeHtml(issue.title)} <span class="num">#${issue.number}</span></h1>
<p class="meta"><span class="state">Open</span> ${labels}</p>
${card(issue.author, 'opened this issue', markdownToHtml(issue.body))}
${card(comment.author, 'commented', markdownToHtml(comment.markdown))}
</main>
</body>
</html>
`;
}

function card(author: string, action: string, html: string): string {
  return `<section class="card"><header><strong>${escapeHtml(author)}</strong> ${action}</header>
<div class="body">
${html}
</div></section>`;
}

const CSS = `
body { margin: 0; background: #f6f8fa; color: #1f2328;
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif, "Apple Color Emoji", "Noto Color Emoji"; }
main { max-width: 860px; margin: 24px auto; padding: 0 16px; }
.repo { color: #59636e; margin: 0; }
h1 { font-size: 26px; font-weight: 400; margin: 4px 0 8px; }
h1 .num { color: #59636e; font-weight: 300; }
.meta { margin: 0 0 16px; }
.state { background: #1f883d; color: #fff; border-radius: 2em; padding: 3px 10px; font-weight: 500; }
.label { background: #ddf4ff; color: #0969da; border-radius: 2em; padding: 2px 8px; font-size: 12px; font-weight: 500; }
.card { background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; margin: 0 0 16px; }
.card header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; border-radius: 6px 6px 0 0; padding: 8px 16px; color: #59636e; }
.card header strong { color: #1f2328; }
.body { padding: 8px 16px 16px; overflow-wrap: anywhere; }
.body > :last-child { margin-bottom: 0; }
.body h1, .body h2, .body h3, .body h4 { margin: 20px 0 8px; font-weight: 600; }
.body h4 { font-size: 15px; }
.body p, .body ul, .body table, .body blockquote, .body pre { margin: 0 0 12px; }
.body ul { padding-left: 2em; }
.body li.task { list-style: none; margin-left: -1.4em; }
.body code { background: #eff1f3; border-radius: 6px; padding: .15em .35em; font: 85% ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.body pre { background: #f6f8fa; border-radius: 6px; padding: 12px; overflow: auto; }
.body pre code { background: none; padding: 0; }
.body blockquote { border-left: .25em solid #d1d9e0; color: #59636e; padding: 0 1em; margin-left: 0; }
.body table { border-collapse: collapse; display: block; overflow: auto; }
.body th, .body td { border: 1px solid #d1d9e0; padding: 6px 13px; }
.body th { font-weight: 600; background: #f6f8fa; }
.body sub { color: #59636e; }
.body a { color: #0969da; text-decoration: none; }
.body details { margin: 0 0 12px; }
`;
