// Folding: every multi-line block, runs of comment lines, runs of imports.
import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver-types';
import type { Statement } from '../syntax/ast';
import type { FeatureContext } from './context';

export function foldingRanges(ctx: FeatureContext): FoldingRange[] {
  const out: FoldingRange[] = [];
  const visit = (list: Statement[]) => {
    for (const s of list) {
      if (!s.block) continue;
      const start = s.block.open.start.line;
      const end = s.block.close ? s.block.close.start.line - 1 : s.range.end.line;
      if (end > start) out.push({ startLine: start, endLine: end });
      visit(s.block.statements);
    }
  };
  visit(ctx.parsed.statements);
  // comment runs (whole-line comments on consecutive lines)
  let runStart = -1,
    runEnd = -1;
  const flush = () => {
    if (runStart >= 0 && runEnd > runStart)
      out.push({ startLine: runStart, endLine: runEnd, kind: FoldingRangeKind.Comment });
    runStart = runEnd = -1;
  };
  for (const c of ctx.parsed.comments) {
    const l = c.range.start.line;
    const whole = ctx.parsed.text.slice(c.offset - c.range.start.character, c.offset).trim() === '';
    if (!whole) {
      flush();
      continue;
    }
    if (runStart >= 0 && l === runEnd + 1) runEnd = l;
    else {
      flush();
      runStart = runEnd = l;
    }
  }
  flush();
  // import runs
  const imports = ctx.parsed.statements.filter((s) => s.keyword.text === 'import');
  if (imports.length > 1) {
    const first = imports[0].range.start.line,
      last = imports[imports.length - 1].range.end.line;
    if (last > first) out.push({ startLine: first, endLine: last, kind: FoldingRangeKind.Imports });
  }
  return out.sort((a, b) => a.startLine - b.startLine);
}
