import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The developers' guide: a function in src/ or tools/ fits on a screen. */
const MAX_FUNCTION_LINES = 60;

const ROOT = path.join(__dirname, '../../..');
const SRC = path.join(ROOT, 'src');
const TOOLS = path.join(ROOT, 'tools');

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** "file:line name (N lines)" for every function of `file` longer than `limit` lines (or its own ceiling). */
export function longFunctions(file: string, text: string, limit: number): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionLike(node) && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      const name = node.name?.getText(source) ?? '(anonymous)';
      const where = path.relative(ROOT, file).split(path.sep).join('/');
      if (lines > limit) found.push(`${where}:${first + 1} ${name} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('code size', () => {
  it(`has no function in src/ over ${MAX_FUNCTION_LINES} lines`, () => {
    const found = sourceFiles(SRC).flatMap((file) =>
      longFunctions(file, fs.readFileSync(file, 'utf8'), MAX_FUNCTION_LINES),
    );
    expect(found).toEqual([]);
  });

  it(`has no function in tools/ over ${MAX_FUNCTION_LINES} lines`, () => {
    const found = sourceFiles(TOOLS).flatMap((file) =>
      longFunctions(file, fs.readFileSync(file, 'utf8'), MAX_FUNCTION_LINES),
    );

    expect(found).toEqual([]);
  });

  it('measures a function from its first to its last line, nested ones included', () => {
    const body = Array.from({ length: 59 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const fits = `function fits() {\n${body.split('\n').slice(1).join('\n')}\n}\n`;
    const tooLong = `function tooLong() {\n${body}\n  return () => 1;\n}\n`;
    expect(longFunctions(path.join(SRC, 'x.ts'), fits, 60)).toEqual([]);
    expect(longFunctions(path.join(SRC, 'x.ts'), tooLong, 60)).toEqual(['src/x.ts:1 tooLong (62 lines)']);
  });
});
