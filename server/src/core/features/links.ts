// Document links: the path string of every `import`, to the file it names.
import type { Range } from 'vscode-languageserver-types';
import * as path from 'node:path';
import type { FeatureContext } from './context';

export interface ImportLink {
  range: Range;
  /** Absolute path of the target. */ target: string;
  tooltip: string;
}

export function documentLinks(ctx: FeatureContext): ImportLink[] {
  const out: ImportLink[] = [];
  for (const s of ctx.parsed.statements) {
    if (s.keyword.text !== 'import') continue;
    const sc = s.args.find((a) => !a.key)?.value.items[0];
    if (!sc || !sc.quoted || !sc.text) continue;
    const target = path.resolve(path.dirname(ctx.abs), sc.text);
    const r = sc.range;
    // inside the quotes
    const range =
      r.start.line === r.end.line && r.end.character - r.start.character >= 2
        ? {
            start: { line: r.start.line, character: r.start.character + 1 },
            end: {
              line: r.end.line,
              character:
                r.end.character -
                (ctx.parsed.text[sc.offset + (r.end.character - r.start.character) - 1] === '"' ? 1 : 0),
            },
          }
        : r;
    const loaded = ctx.workspace.byAbs.has(target);
    out.push({
      range,
      target,
      tooltip: loaded ? `Open ${sc.text}` : `${sc.text} (not loaded: missing or an import cycle)`,
    });
  }
  return out;
}
