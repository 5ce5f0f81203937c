// Escaping for GitHub Markdown: text, raw HTML, code spans and fences that the content cannot
// break; and `file:line` as the report writes it.

export function oneLine(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ');
}

/** Inside raw HTML blocks (<summary>), Markdown is not parsed: only HTML needs escaping. */
export function html(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Plain text in Markdown: backslash-escape what could start emphasis, links, HTML or tables. */
export function md(text: string): string {
  return oneLine(text).replace(/[\\`*_[\]<>|~&]/g, '\\$&');
}

/** A code span that holds any text: delimited by more backticks than any run inside it. */
export function code(text: string): string {
  const flat = oneLine(text);
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** A fence longer than any backtick run in the content, so the content cannot close it. */
export function fenceFor(content: string): string {
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longestRun + 1));
}

export function location(file: string, line: number | undefined): string {
  return line === undefined ? file : `${file}:${line}`;
}
