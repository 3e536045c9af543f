/**
 * Reads the machine-readable tables of the docs: a GitHub Markdown table placed right under an
 * HTML comment marker such as `<!-- config-table: account -->`. Cells are split on unescaped `|`,
 * and `\|` (a pipe inside a cell) is unescaped.
 */

export interface MarkdownTable {
  header: string[];
  rows: string[][];
}

/** The cells of one table line, trimmed; `\|` becomes `|`. */
export function splitRow(line: string): string[] {
  const cells: string[] = [];
  let current = '';
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i += 1) {
    const char = body[i];
    if (char === '\\' && body[i + 1] === '|') {
      current += '|';
      i += 1;
    } else if (char === '|') {
      cells.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  cells.push(current.trim());
  return cells;
}

/** The table starting on the line after `<!-- marker -->`; throws when there is none. */
export function tableAfterMarker(text: string, marker: string): MarkdownTable {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((line) => line.trim() === `<!-- ${marker} -->`);
  if (at < 0) throw new Error(`No <!-- ${marker} --> marker`);
  const tableLines: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (!line.trim().startsWith('|')) break;
    tableLines.push(line);
  }
  if (tableLines.length < 2 || !/^\|[\s|:-]+\|$/.test(tableLines[1].trim())) {
    throw new Error(`No Markdown table right under <!-- ${marker} -->`);
  }
  return { header: splitRow(tableLines[0]), rows: tableLines.slice(2).map(splitRow) };
}

/** Every table header line of the document, split into cells. */
export function tableHeaders(text: string): string[][] {
  const lines = text.split(/\r?\n/);
  const headers: string[][] = [];
  lines.forEach((line, index) => {
    const next = lines[index + 1]?.trim() ?? '';
    if (line.trim().startsWith('|') && /^\|[\s|:-]+\|$/.test(next) && !/^\|[\s|:-]+\|$/.test(line.trim())) {
      headers.push(splitRow(line));
    }
  });
  return headers;
}

/** `` `x` `` -> x; anything else as is. */
export function unquoteCode(cell: string): string {
  const match = /^`([^`]*)`$/.exec(cell);
  return match ? match[1] : cell;
}

/** Every `` `code` `` span of a cell. */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]);
}

/** The part of a document from the heading `## <title>` to the next `## ` heading. */
export function section(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`No "## ${title}" section`);
  const end = text.indexOf('\n## ', start + 4);
  return end < 0 ? text.slice(start) : text.slice(start, end);
}
