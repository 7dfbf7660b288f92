import { readFileSync } from 'node:fs';

/** A fenced code block of a Markdown file, with the `<!-- docs-test: ... -->` marker just above it. */
export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  language: string;
  code: string;
  /** What the marker says: `not run: <reason>`, `expect <status> <CODE>`; null without one. */
  marker: string | null;
}

const MARKER = /^<!--\s*docs-test:\s*(.+?)\s*-->$/;

export function codeBlocks(file: string): DocBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((text, j) => j > i && text.startsWith('```'));
    if (end < 0) throw new Error(`${file}:${i + 1}: a code fence that is never closed`);
    let above = i - 1;
    while (above >= 0 && lines[above]!.trim() === '') above--;
    const marker = above >= 0 ? (MARKER.exec(lines[above]!.trim())?.[1] ?? null) : null;
    blocks.push({ file, line: i + 1, language: open[1] ?? '', code: lines.slice(i + 1, end).join('\n'), marker });
    i = end;
  }
  return blocks;
}

/** `expect 400 QUERY_TOO_COMPLEX` -> the status and error code a block's requests must get. */
export function expectedOutcome(block: DocBlock): { status: number; code: string | null } {
  const match = block.marker ? /^expect (\d{3}) ([A-Z_]+)$/.exec(block.marker) : null;
  return match ? { status: Number(match[1]), code: match[2]! } : { status: 200, code: null };
}

export const notRunReason = (block: DocBlock): string | null => (block.marker ? (/^not run: (.+)$/.exec(block.marker)?.[1] ?? null) : null);

/** Whether a block sends requests itself (not only defines the helpers later blocks call). */
export function sendsRequests(block: DocBlock): boolean {
  return block.code
    .split('\n')
    .filter((line) => !/^\s*#/.test(line) && !/^\s*\w+\(\)\s*\{/.test(line))
    .some((line) => /(^|[\s;(|$])curl\s/.test(line) || /^\s*(\w+=\$\()?(q|m) /.test(line));
}
