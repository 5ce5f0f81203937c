// Cut Markdown to a byte budget by whole lines, leaving no code fence or <details> open, and
// end with a notice of the cut. The Markdown renderer shrinks detail first; this is the last
// resort that guarantees the budget for any input.

import { byteLength, cutToBytes } from './format.ts';

interface OpenFence {
  char: '`' | '~';
  length: number;
}

/** Fence and <details> state after each line, as GitHub's CommonMark reads them. */
export class MarkdownBlockState {
  fence: OpenFence | null = null;
  detailsDepth = 0;

  read(line: string): void {
    if (this.fence) {
      const close = /^ {0,3}(`+|~+)[ \t]*$/.exec(line);
      if (close && close[1][0] === this.fence.char && close[1].length >= this.fence.length) this.fence = null;
      return;
    }
    const open = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    // A backtick fence's info string may not contain a backtick, else the line is inline code.
    if (open && !(open[1][0] === '`' && open[2].includes('`'))) {
      this.fence = { char: open[1][0] as '`' | '~', length: open[1].length };
      return;
    }
    if (/^ {0,3}<details[\s>]/i.test(line) || /^ {0,3}<details$/i.test(line)) this.detailsDepth++;
    else if (/^ {0,3}<\/details>/i.test(line) && this.detailsDepth > 0) this.detailsDepth--;
  }

  /** Lines that close whatever is open, in order. */
  closers(): string {
    let text = this.fence ? `${this.fence.char.repeat(this.fence.length)}\n` : '';
    if (this.detailsDepth > 0) text += `${this.fence ? '' : '\n'}${'</details>\n'.repeat(this.detailsDepth)}`;
    return text;
  }

  get atTopLevel(): boolean {
    return this.fence === null && this.detailsDepth === 0;
  }
}

/**
 * Returns `markdown` unchanged when it fits in `budgetBytes` (UTF-8); otherwise its longest
 * prefix of whole lines that fits together with the closing lines it needs and `notice`,
 * preferring a cut between top-level sections. Never longer than the budget.
 */
export function trimMarkdown(markdown: string, budgetBytes: number, notice: string): string {
  if (byteLength(markdown) <= budgetBytes) return markdown;
  const budget = Math.max(0, Math.floor(budgetBytes));
  const noticeBlock = `\n${notice.trimEnd()}\n`;
  const noticeBytes = byteLength(noticeBlock);
  if (noticeBytes >= budget) return cutToBytes(noticeBlock.trimStart(), budget);

  const lines = markdown.split('\n');
  const state = new MarkdownBlockState();
  let prefixBytes = 0;
  // Best cut so far: number of lines kept and the closers it needs.
  let best = { lines: 0, bytes: 0, closers: '' };
  let bestTopLevel = { lines: 0, bytes: 0 };
  for (let index = 0; index < lines.length - 1; index++) {
    const lineBytes = byteLength(lines[index]) + 1;
    if (prefixBytes + lineBytes + noticeBytes > budget) break;
    prefixBytes += lineBytes;
    state.read(lines[index]);
    const closers = state.closers();
    if (prefixBytes + byteLength(closers) + noticeBytes <= budget) {
      best = { lines: index + 1, bytes: prefixBytes, closers };
      if (state.atTopLevel) bestTopLevel = { lines: index + 1, bytes: prefixBytes };
    }
  }
  // Cut between whole sections unless that would throw away more than half of what fits.
  const useTopLevel = bestTopLevel.lines > 0 && bestTopLevel.bytes * 2 >= best.bytes;
  const kept = useTopLevel ? bestTopLevel.lines : best.lines;
  const prefix = kept === 0 ? '' : `${lines.slice(0, kept).join('\n')}\n`;
  const result =
    prefix + (useTopLevel ? '' : best.closers) + (kept === 0 ? noticeBlock.trimStart() : noticeBlock);
  return result;
}
