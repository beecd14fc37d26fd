// The canonical layout of `fmt` on hand-picked inputs.
import { strict as assert } from 'node:assert';
import { formatText } from '../../../server/src/core/features/format';

function fmt(text: string): string {
  const r = formatText(text, 'x.mailtopo');
  assert.ok('text' in r, 'error' in r ? r.error : '');
  const again = formatText(r.text, 'x.mailtopo');
  assert.ok('text' in again && again.text === r.text, 'not idempotent');
  return r.text;
}

describe('fmt: canonical layout', () => {
  it('two spaces per level, one space between words, key=value tight, `a, b` lists, { on the line, } alone', () => {
    const messy =
      'gateway   g{\n\trole    relay\n      relay allow  from = corp ,10.0.0.0/8   auth=required\n route a.example.com via=x,y\n}\n';
    assert.equal(
      fmt(messy),
      [
        'gateway g {',
        '  role relay',
        '  relay allow from=corp, 10.0.0.0/8 auth=required',
        '  route a.example.com via=x, y',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('; becomes a line break; statements before } move to their own line', () => {
    assert.equal(
      fmt('gateway g { role relay; hostname g.example.com }\n'),
      'gateway g {\n  role relay\n  hostname g.example.com\n}\n',
    );
  });

  it('at most one blank line, none at the start, none after { or before }', () => {
    assert.equal(
      fmt('\n\n\nnetwork a {\n\n\n  cidr 10.0.0.0/8\n\n\n}\n\n\n\nnetwork b {\n  cidr 10.1.0.0/16\n}\n\n\n'),
      'network a {\n  cidr 10.0.0.0/8\n}\n\nnetwork b {\n  cidr 10.1.0.0/16\n}\n',
    );
  });

  it('empty blocks close on their line', () => {
    assert.equal(fmt('options {\n}\ndomain a.example.com {   }\n'), 'options {}\ndomain a.example.com {}\n');
  });

  it('comments are kept: own-line comments indented with their block, trailing ones stay trailing', () => {
    const text = [
      '# Header',
      'gateway g {   # opens',
      '        # the role',
      '  role relay   # trailing',
      '  relay allow from=corp; # after a semicolon',
      '} # closes',
      '# doc of n',
      'network n { cidr 10.0.0.0/8 } # inline',
      'x {} # empty',
      '',
    ].join('\n');
    assert.equal(
      fmt(text),
      [
        '# Header',
        'gateway g { # opens',
        '  # the role',
        '  role relay # trailing',
        '  relay allow from=corp # after a semicolon',
        '} # closes',
        '# doc of n',
        'network n {',
        '  cidr 10.0.0.0/8',
        '} # inline',
        'x {} # empty',
        '',
      ].join('\n'),
    );
  });

  it('a comma list broken over lines keeps its breaks, continuation lines indented one more level', () => {
    const text = 'gateway g {\n  route a.example.com via=a,\n# the backup\n        b, # second\n  c\n}\n';
    assert.equal(fmt(text), 'gateway g {\n  route a.example.com via=a,\n    # the backup\n    b, # second\n    c\n}\n');
  });

  it('strings are kept exactly as written', () => {
    assert.equal(
      fmt('domain a.example.com {\n  spf   "v=spf1  \\"x\\" \\\\ -all"\n}\n'),
      'domain a.example.com {\n  spf "v=spf1  \\"x\\" \\\\ -all"\n}\n',
    );
  });

  it('CRLF files stay CRLF; a file without a final newline gets one', () => {
    assert.equal(fmt('network n {\r\n  cidr 10.0.0.0/8\r\n}'), 'network n {\r\n  cidr 10.0.0.0/8\r\n}\r\n');
    assert.equal(fmt('network n {\n  cidr 10.0.0.0/8\n}'), 'network n {\n  cidr 10.0.0.0/8\n}\n');
  });

  it('an empty file or one of blank lines formats to nothing; comments only stay', () => {
    assert.equal(fmt(''), '');
    assert.equal(fmt('\n\n  \n'), '');
    assert.equal(fmt('  # only a comment  \n'), '# only a comment\n');
  });

  it('refuses a file with syntax errors, naming the first one', () => {
    for (const [text, where] of [
      ['gateway g {\n  role relay\n', 'x.mailtopo:1:11: '],
      ['network n {\n  cidr 10.0.0.0/8,\n}\n', 'x.mailtopo:2:18: '],
      ['domain a.example.com {\n  spf "v=spf1\n}\n', 'x.mailtopo:2:7: '],
      ['network n $ {\n}\n', 'x.mailtopo:1:11: '],
    ] as const) {
      const r = formatText(text, 'x.mailtopo');
      assert.ok('error' in r, text);
      assert.ok(r.error.startsWith(where), r.error);
      assert.match(r.error, /not formatted/);
    }
  });

  it('schema errors do not stop formatting (only syntax errors do)', () => {
    assert.equal(fmt('gateway g {\n  rol  relay\n}\n'), 'gateway g {\n  rol relay\n}\n');
  });
});
