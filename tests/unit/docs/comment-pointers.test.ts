import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The project carries its own knowledge: a comment points to a file of the repository or to a
 * section of its docs (docs/apis.md#paging), never to a document or an issue tracker a clone does
 * not have, and every pointer resolves. The Markdown links of README.md and docs/ resolve too.
 */

const ROOT = path.resolve(__dirname, '../../..');
const SCANNED = ['src', 'tools', 'tests'];

/** Written so that this file does not match them itself. */
const OUTSIDE_POINTERS: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'the team design document', pattern: new RegExp(['design', '\\.md'].join(''), 'i') },
  { name: 'a section of the design document', pattern: /design\s+section/i },
  { name: 'an issue number', pattern: /\bissues?\s+#?\d+/i },
];

/** A repository path in a comment: src/misp/client.ts, tools/emulators/misp, docs/apis.md#paging, README.md#... */
const PATH_POINTER =
  /(?<![\w./-])((?:src|tools|tests|docs|scripts)\/[\w./-]*\w|README\.md|CHANGELOG\.md|manifest\.json|trigger_misp_ids_to_ioc\.json)(#[\w-]+)?/g;

function filesUnder(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(full);
    return /\.(ts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

/** Every comment of a TypeScript or JavaScript text, once each. */
export function commentsOf(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const seen = new Map<number, string>();
  const collect = (ranges: ts.CommentRange[] | undefined): void => {
    for (const range of ranges ?? []) seen.set(range.pos, text.slice(range.pos, range.end));
  };
  const visit = (node: ts.Node): void => {
    collect(ts.getLeadingCommentRanges(text, node.getFullStart()));
    collect(ts.getTrailingCommentRanges(text, node.getEnd()));
    ts.forEachChild(node, visit);
  };
  visit(source);
  collect(ts.getLeadingCommentRanges(text, source.endOfFileToken.getFullStart()));
  return [...seen.entries()].sort(([a], [b]) => a - b).map(([, comment]) => comment);
}

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as dashes. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const base = anchorOf(heading[1]);
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n += 1) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/** Why `target` (a repository path, with an optional #anchor) does not resolve; undefined when it does. */
export function unresolved(root: string, target: string, anchor: string | undefined): string | undefined {
  const full = path.join(root, target);
  const candidates = [full, `${full}.ts`, `${full}.js`, path.join(full, 'index.ts')];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (found === undefined) return `${target} does not exist`;
  if (anchor === undefined || anchor === '') return undefined;
  if (!found.endsWith('.md')) return `${target}${anchor}: only a Markdown file has sections`;
  const anchors = anchorsOf(fs.readFileSync(found, 'utf8'));
  return anchors.has(anchor.slice(1)) ? undefined : `${target} has no section ${anchor}`;
}

/** The problems of one source file: pointers outside the repository, pointers that do not resolve. */
export function pointerProblems(root: string, fileName: string, text: string): string[] {
  const problems: string[] = [];
  text.split('\n').forEach((line, index) => {
    for (const { name, pattern } of OUTSIDE_POINTERS) {
      if (pattern.test(line)) problems.push(`line ${index + 1} points to ${name}: ${line.trim()}`);
    }
  });
  for (const comment of commentsOf(fileName, text)) {
    for (const match of comment.matchAll(PATH_POINTER)) {
      const why = unresolved(root, match[1], match[2]);
      if (why !== undefined) problems.push(`a comment points to a missing place: ${why}`);
    }
  }
  return problems;
}

/** The Markdown links of a document that do not resolve (web links aside). */
export function brokenLinks(root: string, documentPath: string, markdown: string): string[] {
  const broken: string[] = [];
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  for (const match of withoutCode.matchAll(/\]\(([^)\s]+)\)/g)) {
    const link = match[1];
    if (/^[a-z]+:/i.test(link)) continue;
    const [target, anchor] = link.split('#');
    const relative =
      target === ''
        ? documentPath
        : path.relative(root, path.resolve(root, path.dirname(documentPath), target));
    const why = unresolved(root, relative, anchor === undefined ? undefined : `#${anchor}`);
    if (why !== undefined) broken.push(`${documentPath}: (${link}): ${why}`);
  }
  return broken;
}

describe('pointers in src/, tools/ and tests/', () => {
  const files = SCANNED.flatMap((folder) => filesUnder(path.join(ROOT, folder))).map((file) =>
    path.relative(ROOT, file).split(path.sep).join('/'),
  );

  it('point into the repository, and every comment pointer resolves', () => {
    const problems = files.flatMap((file) =>
      pointerProblems(ROOT, file, fs.readFileSync(path.join(ROOT, file), 'utf8')).map(
        (problem) => `${file}: ${problem}`,
      ),
    );
    expect(problems).toEqual([]);
  });
});

describe('links of README.md and docs/', () => {
  const documents = [
    'README.md',
    ...fs
      .readdirSync(path.join(ROOT, 'docs'))
      .flatMap((name) => (name.endsWith('.md') ? [`docs/${name}`] : [])),
  ];

  it.each(documents)('%s links only to files and sections that exist', (document) => {
    expect(brokenLinks(ROOT, document, fs.readFileSync(path.join(ROOT, document), 'utf8'))).toEqual([]);
  });
});

describe('the pointer checks themselves', () => {
  const issue = ['iss', 'ue 11'].join('');
  const design = ['design', '.md section 5'].join('');

  it('find a pointer outside the repository, in a comment or anywhere else', () => {
    const text = `// Reconciliation (${issue})\nconst a = '${design}';\n`;
    expect(pointerProblems(ROOT, 'x.ts', text)).toEqual([
      `line 1 points to an issue number: // Reconciliation (${issue})`,
      `line 2 points to the team design document: const a = '${design}';`,
    ]);
  });

  it('find a comment pointer to a missing file or section, and accept one that resolves', () => {
    const text = [
      '/** Keys (src/trigger/no-such-file.ts), paging (docs/apis.md#no-such-section). */',
      '// Paging: docs/apis.md#paging; the reader: src/misp/window-reader.ts, tools/emulators/misp.',
      "import x from '../src/not-a-comment';",
    ].join('\n');
    expect(pointerProblems(ROOT, 'x.ts', text)).toEqual([
      'a comment points to a missing place: src/trigger/no-such-file.ts does not exist',
      'a comment points to a missing place: docs/apis.md has no section #no-such-section',
    ]);
  });

  it('read section anchors as GitHub writes them', () => {
    expect(anchorOf('Which import, and what it costs')).toBe('which-import-and-what-it-costs');
    expect(anchorOf('`events/restSearch`')).toBe('eventsrestsearch');
    expect(anchorOf('Sekoia.io')).toBe('sekoiaio');
  });

  it('find a broken Markdown link, and accept links that resolve', () => {
    const markdown =
      '[a](docs/apis.md#misp) [b](#nowhere) [c](docs/none.md) [d](https://x.example) `[e](f.md)`';
    expect(brokenLinks(ROOT, 'README.md', markdown)).toEqual([
      'README.md: (#nowhere): README.md has no section #nowhere',
      'README.md: (docs/none.md): docs/none.md does not exist',
    ]);
  });
});
