// The canonical layout (`mailtopo fmt` and the editor's formatter). It re-prints
// the token stream, comments included, so nothing the user wrote is lost:
// two spaces per block level, one space between words, `key=value` tight,
// `a, b` lists, `{` on its statement's line and `}` on its own, one blank
// line at most, trailing comments kept, `;` turned into a line break.
// Files with syntax errors are not formatted (we never guess at broken text).
import type { IToken } from 'chevrotain';
import * as T from '../syntax/tokens';
import { parse } from '../syntax/parser';

export type FormatResult = { text: string } | { error: string };

const INDENT = '  ';

export function formatText(text: string, file = 'untitled.mailtopo'): FormatResult {
  const parsed = parse(text, file);
  const syntax = parsed.diagnostics.filter((d) => d.code === 'MT001' || d.code === 'MT002' || d.code === 'MT003');
  if (syntax.length) {
    const d = syntax[0];
    return { error: `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: not formatted: ${d.message}` };
  }
  const lex = T.lexer.tokenize(text);
  const toks: IToken[] = [...lex.tokens, ...(lex.groups.comments ?? [])].sort((a, b) => a.startOffset - b.startOffset);
  const eol = /\r\n/.test(text.slice(0, text.indexOf('\n') + 1 || text.length)) ? '\r\n' : '\n';

  const out: string[] = [];
  let line = '';
  let depth = 0;
  let continuation = false; // the line being built continues a comma list
  let pendingBlank = false;
  let afterOpen = false; // nothing emitted since the last '{'
  let prev: IToken | undefined; // previous significant token on this output line
  let endedEarly = false; // a comment, '{' or '}' ended the output line before its newline

  const finish = () => {
    if (line === '') return;
    out.push(line.replace(/\s+$/, ''));
    line = '';
    prev = undefined;
  };
  const startLine = (extra = 0) => {
    if (line !== '') return;
    if (pendingBlank && out.length && !afterOpen) out.push('');
    pendingBlank = false;
    afterOpen = false;
    line = INDENT.repeat(Math.max(0, depth) + extra);
  };
  /** A comment right after `{` or `}` on the same source line stays there (it is not the next statement's doc). */
  const trailingComment = (i: number): string | undefined => {
    const n = toks[i + 1];
    return n && n.tokenType === T.Comment ? ' ' + n.image.replace(/\s+$/, '') : undefined;
  };
  const word = (img: string) => {
    if (line === '') startLine(continuation ? 1 : 0);
    else if (prev && prev.tokenType !== T.Equals) line += ' ';
    line += img;
  };

  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    const tt = t.tokenType;
    if (tt === T.Newline || tt === T.Semi) {
      if (endedEarly) {
        endedEarly = tt === T.Semi;
        continue;
      }
      if (tt === T.Semi && line !== '' && toks[i + 1]?.tokenType === T.Comment) continue; // `a; # note`: the note stays on a's line
      if (line === '') {
        if (tt === T.Newline && out.length) pendingBlank = true;
        continue;
      }
      continuation = prev?.tokenType === T.Comma && tt === T.Newline;
      finish();
      continue;
    }
    endedEarly = false;
    if (tt === T.Comment) {
      if (line === '') {
        startLine(continuation ? 1 : 0);
        line += t.image.replace(/\s+$/, '');
        finish();
      } else {
        continuation = prev?.tokenType === T.Comma;
        line += ' ' + t.image.replace(/\s+$/, '');
        finish();
      }
      endedEarly = true;
      continue;
    }
    if (tt === T.LBrace) {
      word('{');
      const c = trailingComment(i);
      if (c !== undefined) {
        line += c;
        i++;
      }
      finish();
      depth++;
      afterOpen = true;
      continuation = false;
      endedEarly = true;
      continue;
    }
    if (tt === T.RBrace) {
      depth--;
      pendingBlank = false;
      const c = trailingComment(i);
      if (c !== undefined) i++;
      if (line === '' && afterOpen && out.length && out[out.length - 1].endsWith('{')) {
        out[out.length - 1] += '}' + (c ?? '');
        afterOpen = false;
      } else {
        finish();
        afterOpen = false;
        line = INDENT.repeat(Math.max(0, depth)) + '}' + (c ?? '');
        prev = t;
        finish();
      }
      continuation = false;
      endedEarly = true;
      continue;
    }
    if (tt === T.Comma) {
      line += ',';
      prev = t;
      continue;
    }
    if (tt === T.Equals) {
      line += '=';
      prev = t;
      continue;
    }
    word(t.image);
    prev = t;
    continuation = false;
  }
  finish();
  const bom = text.charCodeAt(0) === 0xfeff ? '\ufeff' : ''; // keep a byte-order mark where it was
  return { text: out.length ? bom + out.join(eol) + eol : '' };
}
