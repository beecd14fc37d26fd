// The editor's analyses are incremental (parse chunks reused across edits, and
// whatever the server keeps between versions): after any sequence of edits the
// diagnostics the server publishes must equal a fresh check of the same text.
// Random edits over the samples and the design fixtures: typing and deleting at
// random places, pasting pieces of the file elsewhere, new lines and braces.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { Analyzer, type OpenDoc } from '../../../server/src/analysis';
import { checkText } from '../../../server/src/core/check';
import type { MtDiagnostic } from '../../../server/src/core/diagnostic';
import { editorRoot, rootedFileHost } from '../../../server/src/core/model/fileHost';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const FILES = [
  ...['samples', 'samples/multi', 'test/fixtures/designs'].flatMap((d) =>
    fs
      .readdirSync(path.join(ROOT, d))
      .filter((f) => f.endsWith('.mailtopo'))
      .map((f) => path.join(ROOT, d, f)),
  ),
].sort();

/** One open document whose text the test replaces. */
class Docs {
  doc: OpenDoc;
  constructor(
    uri: string,
    public text: string,
  ) {
    this.doc = { uri, version: 1, getText: () => this.text };
  }
  get(uri: string): OpenDoc | undefined {
    return uri === this.doc.uri ? this.doc : undefined;
  }
  all(): OpenDoc[] {
    return [this.doc];
  }
  set(text: string): void {
    this.text = text;
    this.doc = { ...this.doc, version: this.doc.version + 1 };
  }
}

/** The fresh check the server's result must equal: the same text, the same imports, no cache. */
function fresh(abs: string, text: string): MtDiagnostic[] {
  const host = rootedFileHost(editorRoot(abs, []), (p) => (p === abs ? text : undefined));
  return checkText(text, abs, { host }).diagnostics.filter((d) => d.file === abs); // the server publishes per file
}

const plain = (ds: MtDiagnostic[]) => JSON.parse(JSON.stringify(ds)) as unknown;

const editArb = fc.record({
  at: fc.nat(),
  del: fc.oneof(fc.constant(0), fc.nat({ max: 3 }), fc.nat({ max: 60 })),
  ins: fc.oneof(
    fc.constantFrom(
      '',
      'x',
      'ab',
      '\n',
      ' ',
      '{',
      '}',
      ',',
      '#',
      '"',
      '\n}\n',
      '\ngateway gx {\n',
      'relay allow from=any\n',
    ),
    // a piece of the file itself, pasted elsewhere
    fc.record({ from: fc.nat(), len: fc.nat({ max: 80 }) }),
  ),
});

describe('server/analysis: incremental diagnostics equal a fresh check', function () {
  this.timeout(120_000);

  it('after any sequence of edits to the samples and the design fixtures', () => {
    const texts = new Map(FILES.map((f) => [f, fs.readFileSync(f, 'utf8')]));
    fc.assert(
      fc.property(fc.constantFrom(...FILES), fc.array(editArb, { minLength: 1, maxLength: 12 }), (file, edits) => {
        const uri = pathToFileURL(file).href;
        const docs = new Docs(uri, texts.get(file)!);
        const an = new Analyzer(docs);
        an.ensure(uri);
        for (const e of edits) {
          const t = docs.text;
          const at = e.at % (t.length + 1);
          const ins =
            typeof e.ins === 'string'
              ? e.ins
              : t.slice(e.ins.from % (t.length + 1), (e.ins.from % (t.length + 1)) + e.ins.len);
          docs.set(t.slice(0, at) + ins + t.slice(Math.min(t.length, at + e.del)));
          // every few edits a publish (the server skips versions while someone types)
          if (e.at % 3 === 0) an.ensure(uri);
        }
        const a = an.ensure(uri)!;
        assert.deepEqual(plain(an.diagnosticsOf(a, uri)), plain(fresh(file, docs.text)), JSON.stringify(docs.text));
      }),
      { numRuns: 150 },
    );
  });
});
