// The canonical layout (`mailtopo fmt` and the editor's formatter). It re-prints
// the token stream, comments included, so nothing the user wrote is lost:
// two spaces per block level, one space between words, `key=value` tight,
// `a, b` lists, `{` on its statement's line and `}` on its own, one blank
// line at most, trailing comments kept, `;` turned into a line break.
// Files with syntax errors are not formatted (we never guess at broken text).
import type { IToken } from 'chevrotain';
import * as T from '../syntax/tokens';
import { parse } from '../syntax/parser';
import { firstLineEnd } from '../syntax/lineEnds';

export type FormatResult = { text: string } | { error: string };

const INDENT = '  ';

export function formatText(text: string, file = 'untitled.mailtopo'): FormatResult {
  const parsed = parse(text, file);
  const syntax = parsed.diagnostics.filter((d) => d.code === 'MT001' || d.code === 'MT002' || d.code === 'MT003');
  if (syntax.length) {
    const d = syntax[0];
    return { error: `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: not formatted: ${d.message}` };
  }
  const lex = T.lexer().tokenize(text);
  const toks: IToken[] = [...lex.tokens, ...(lex.groups.comments ?? [])].sort((a, b) => a.startOffset - b.startOffset);
  const p = new Printer(toks);
  for (let i = 0; i < toks.length; i++) i = p.token(i);
  p.finish();
  const bom = text.charCodeAt(0) === 0xfeff ? '\ufeff' : ''; // keep a byte-order mark where it was
  // keep a Windows file's \r\n; a lone \r (old Mac files) becomes \n like every other line end
  const eol = firstLineEnd(text) === '\r\n' ? '\r\n' : '\n';
  return { text: p.out.length ? bom + p.out.join(eol) + eol : '' };
}

/** Builds the output lines from the token stream, one token at a time. */
class Printer {
  readonly out: string[] = [];
  private line = '';
  private depth = 0;
  private continuation = false; // the line being built continues a comma list
  private pendingBlank = false;
  private afterOpen = false; // nothing emitted since the last '{'
  private prev: IToken | undefined; // previous significant token on this output line
  private endedEarly = false; // a comment, '{' or '}' ended the output line before its newline

  constructor(private readonly toks: IToken[]) {}

  /** Print token i; returns the index of the last token consumed. */
  token(i: number): number {
    const t = this.toks[i];
    const tt = t.tokenType;
    if (tt === T.Newline || tt === T.Semi) return this.lineEnd(i);
    this.endedEarly = false;
    if (tt === T.Comment) this.comment(t);
    else if (tt === T.LBrace) return this.open(i);
    else if (tt === T.RBrace) return this.close(i);
    else if (tt === T.Comma || tt === T.Equals) {
      this.line += tt === T.Comma ? ',' : '=';
      this.prev = t;
    } else {
      this.word(t.image);
      this.prev = t;
      this.continuation = false;
    }
    return i;
  }

  finish(): void {
    if (this.line === '') return;
    this.out.push(this.line.replace(/\s+$/, ''));
    this.line = '';
    this.prev = undefined;
  }

  private startLine(extra = 0): void {
    if (this.line !== '') return;
    if (this.pendingBlank && this.out.length && !this.afterOpen) this.out.push('');
    this.pendingBlank = false;
    this.afterOpen = false;
    this.line = INDENT.repeat(Math.max(0, this.depth) + extra);
  }

  /** A comment right after `{` or `}` on the same source line stays there (it is not the next statement's doc). */
  private trailingComment(i: number): string | undefined {
    const n = this.toks[i + 1];
    return n && n.tokenType === T.Comment ? ' ' + n.image.replace(/\s+$/, '') : undefined;
  }

  private word(img: string): void {
    if (this.line === '') this.startLine(this.continuation ? 1 : 0);
    else if (this.prev && this.prev.tokenType !== T.Equals) this.line += ' ';
    this.line += img;
  }

  private lineEnd(i: number): number {
    const tt = this.toks[i].tokenType;
    if (this.endedEarly) {
      this.endedEarly = tt === T.Semi;
      return i;
    }
    if (tt === T.Semi && this.line !== '' && this.toks[i + 1]?.tokenType === T.Comment) return i; // `a; # note`: the note stays on a's line
    if (this.line === '') {
      if (tt === T.Newline && this.out.length) this.pendingBlank = true;
      return i;
    }
    this.continuation = this.prev?.tokenType === T.Comma && tt === T.Newline;
    this.finish();
    return i;
  }

  private comment(t: IToken): void {
    if (this.line === '') this.startLine(this.continuation ? 1 : 0);
    else {
      this.continuation = this.prev?.tokenType === T.Comma;
      this.line += ' ';
    }
    this.line += t.image.replace(/\s+$/, '');
    this.finish();
    this.endedEarly = true;
  }

  private open(i: number): number {
    this.word('{');
    const c = this.trailingComment(i);
    if (c !== undefined) {
      this.line += c;
      i++;
    }
    this.finish();
    this.depth++;
    this.afterOpen = true;
    this.continuation = false;
    this.endedEarly = true;
    return i;
  }

  private close(i: number): number {
    this.depth--;
    this.pendingBlank = false;
    const c = this.trailingComment(i);
    if (c !== undefined) i++;
    const last = this.out.length - 1;
    if (this.line === '' && this.afterOpen && last >= 0 && this.out[last].endsWith('{')) {
      this.out[last] += '}' + (c ?? '');
      this.afterOpen = false;
    } else {
      this.finish();
      this.afterOpen = false;
      this.line = INDENT.repeat(Math.max(0, this.depth)) + '}' + (c ?? '');
      this.prev = this.toks[i];
      this.finish();
    }
    this.continuation = false;
    this.endedEarly = true;
    return i;
  }
}
