// Injection: hostile values (newline, '#', quotes, '$', backslash, '{', NUL,
// a 300-byte TXT, ...) fed through the language into every generator. Each is
// either rejected by checkText with an error, or lands quoted: every generated
// file still passes its strict line grammar (formats.ts), a string slot adds
// no line anywhere, and the value comes back intact from the zone and
// model.json.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { checkText } from '../../../server/src/core/check';
import { generate, TARGETS, type Target } from '../../../server/src/core/generate/index';
import type { GeneratedFile } from '../../../server/src/core/generate/common';
import { checkFile, decodeTxt, zoneRecords } from './formats';

type Slot =
  | 'spf'
  | 'dmarc'
  | 'tlsrpt'
  | 'contact'
  | 'name'
  | 'hostname'
  | 'domain'
  | 'dnsbl'
  | 'engine'
  | 'ext'
  | 'ns'
  | 'cidr'
  | 'pattern'
  | 'poolhost'
  | 'netname';

const DEFAULTS: Record<Slot, string> = {
  spf: 'v=spf1 ip4:198.51.100.0/28 -all',
  dmarc: 'v=DMARC1; p=reject',
  tlsrpt: 'mailto:tls@example.com',
  contact: 'hostmaster@example.com',
  name: 'edge1',
  hostname: 'edge1.example.com',
  domain: 'example.com',
  dnsbl: 'zen.spamhaus.org',
  engine: 'clamav',
  ext: 'exe',
  ns: 'ns1.example.net',
  cidr: '10.0.0.0/8',
  pattern: 'partner.example',
  poolhost: 'mail.example.com',
  netname: 'corp',
};
const STRING_SLOTS: Slot[] = ['spf', 'dmarc', 'tlsrpt'];

/** A language string literal for a value (quotes and backslashes escaped the language's way). */
const lit = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function topology(slot: Slot, v: string): string {
  const x = { ...DEFAULTS, [slot]: v };
  return `options {
  dnsbl ${x.dnsbl}
  nameservers ${x.ns}
  contact ${x.contact}
}
network ${x.netname} {
  cidr ${x.cidr}
}
domain ${x.domain} {
  mx 10 nlb
  spf ${lit(x.spf)}
  dmarc ${lit(x.dmarc)}
  mta-sts testing
  tls-rpt ${lit(x.tlsrpt)}
}
policy av {
  antivirus ${x.engine}
  attachments block ${x.ext}, js
  max-size 20MB
}
pool nlb {
  mode failover
  vip 198.51.100.10
  hostname ${x.poolhost}
  members ${x.name}, edge2
  health smtp interval=5s
}
gateway ${x.name} {
  role edge
  hostname ${x.hostname}
  address 198.51.100.11
  accept ${x.domain}
  accept ${x.pattern} from=203.0.113.0/24
  relay allow from=${x.netname}
  relay allow from=any auth=required
  scan av
  route ${x.domain} via=mbx
  route * via=direct
}
gateway edge2 {
  role edge
  hostname edge2.example.com
  address 198.51.100.12
  domain-joined yes
  accept ${x.domain}
  relay allow from=${x.netname}
  scan av
  route ${x.domain} via=mbx
  route * via=direct
}
server mbx {
  role mailbox
  hostname mbx.example.com
  address 10.0.0.5
  mailboxes ${x.domain}
  relay allow from=${x.netname}
  route * via=nlb
}
`;
}

const SYNC_TARGETS: Target[] = TARGETS.filter((t) => t !== 'svg');
const NOW = new Date('2025-06-01T12:00:00Z');

async function gen(
  text: string,
  targets: Target[] = SYNC_TARGETS,
): Promise<{ errors: string[]; files: GeneratedFile[] }> {
  const r = checkText(text, 'hostile.mailtopo');
  const errors = r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
  if (errors.length) return { errors, files: [] };
  return { errors, files: (await generate(r.model, targets, { source: 'hostile.mailtopo', now: NOW })).files };
}

// Characters that end a value, a line, a string or a statement in some target.
const NASTY = [
  '\n',
  '\r',
  '\r\n',
  '#',
  '"',
  "'",
  '$',
  '\\',
  '{',
  '}',
  '\0',
  ';',
  '`',
  ' ',
  '\t',
  '%',
  '<',
  '>',
  '|',
  '(',
  ')',
  '[',
  ']',
  ',',
  '=',
  '*',
  ':',
  '/',
  '@',
  '&',
  '!',
  '\u2019',
  '\u00e9',
  '$(',
  '${',
  '--',
  '-->',
  '%%',
  '*/',
];
const SAFE = ['a', 'b', 'x', 'z', '1', '9', '.', '-', '_', 'example', 'com'];
const piece = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.constantFrom(...SAFE) },
);
const PAYLOADS = [
  'evil.example.com\nrelay_domains = *',
  'x" ; rm -rf / ; "',
  '$(reboot)',
  "a'b",
  "a\u2019; Remove-Item C:\\ -Recurse; '",
  'zen.spamhaus.org{x}',
  'v=spf1 -all" "extra',
  'v=spf1 -all\n@ IN A 6.6.6.6',
  'mailto:a@b.c\n$TTL 0',
  '#include',
  'a\\',
  '\\"',
  'v=spf1 a #comment',
  'v=spf1 $ORIGIN evil.',
  'v=DMARC1; p=none; {x}',
  'x\u0000y',
  'a -->b',
  '];evil[',
  'v=spf1 ' + 'ip4:198.51.100.1 '.repeat(19) + '-all', // ~320 bytes: two TXT strings
  'v=spf1 ' + 'a'.repeat(300), // one 300-byte word: split inside it
];
const hostile = fc.oneof(
  fc.array(piece, { minLength: 1, maxLength: 12 }).map((a) => a.join('')),
  fc.constantFrom(...PAYLOADS),
  fc
    .tuple(
      fc.constantFrom('v=spf1 ', 'v=DMARC1; ', 'mailto:', ''),
      fc.array(piece, { minLength: 1, maxLength: 8 }).map((a) => a.join('')),
    )
    .map(([p, s]) => p + s),
  fc
    .tuple(fc.integer({ min: 250, max: 400 }), fc.constantFrom(...NASTY))
    .map(([n, c]) => ('v=spf1 ' + 'ip4:203.0.113.7 '.repeat(40)).slice(0, n) + c + ' -all'),
);

function assertFilesClean(files: GeneratedFile[], what: string): void {
  for (const f of files) {
    const p = checkFile(f.path, f.content);
    assert.equal(p, undefined, `${what}: ${f.path}: ${p}`);
  }
}

describe('generate: hostile values are rejected or land quoted', function () {
  this.timeout(120000);
  const baselines = new Map<Slot, GeneratedFile[]>();

  before(async () => {
    for (const s of Object.keys(DEFAULTS) as Slot[]) {
      const b = await gen(topology(s, DEFAULTS[s]));
      assert.deepEqual(b.errors, [], `the template checks clean (${s})`);
      baselines.set(s, b.files);
    }
  });

  it('every snapshot and the template pass the format grammars (the grammars are not vacuous)', () => {
    const dir = 'test/fixtures/generate/snapshots';
    let n = 0;
    const walk = (d: string, rel: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(path.join(d, e.name), r);
        else {
          assert.equal(checkFile(r, fs.readFileSync(path.join(d, e.name), 'utf8')), undefined, r);
          n++;
        }
      }
    };
    for (const s of fs.readdirSync(dir)) walk(path.join(dir, s), '');
    assert.ok(n > 40);
    assertFilesClean(baselines.get('spf')!, 'template');
    // and they do catch a break-out
    assert.ok(checkFile('postfix/x/main.cf', 'relay_domains = a\n  , evil\n'));
    assert.ok(checkFile('postfix/x/main.cf', 'mynetworks = 0.0.0.0/0\n'.replace('mynetworks', 'debugger_command')));
    assert.ok(checkFile('bind/db.x', '@\tIN\tTXT\t"a" "b\n@\tIN\tA\t1.2.3.4'));
    assert.ok(checkFile('exchange/x.ps1', "Set-Foo -Name 'a'; Remove-Item 'x'\n"));
    assert.ok(
      checkFile('diagram/topology.dot', '  "a" [label="x"]; "evil" -> "b";\n'.replace('"evil" -> "b";', 'evil')),
    );
    assert.ok(checkFile('diagram/topology.mmd', '  n0("a")\n  click n0 call evil()\n'));
  });

  for (const slot of Object.keys(DEFAULTS) as Slot[]) {
    it(`slot '${slot}': rejected with an error, or every file keeps its grammar${STRING_SLOTS.includes(slot) ? ', no file gains a line, the value round-trips' : ''}`, async () => {
      let accepted = 0;
      let rejected = 0;
      await fc.assert(
        fc.asyncProperty(hostile, async (v) => {
          const r = await gen(topology(slot, v));
          if (r.errors.length) {
            rejected++;
            return;
          }
          accepted++;
          assertFilesClean(r.files, `${slot}=${JSON.stringify(v)}`);
          if (STRING_SLOTS.includes(slot)) {
            const base = baselines.get(slot)!;
            assert.deepEqual(
              r.files.map((f) => [f.path, f.content.split('\n').length]),
              base.map((f) => [f.path, f.content.split('\n').length]),
              'no file gains or loses a line',
            );
            const zone = r.files.find((f) => f.path === 'bind/db.example.com')!;
            const recs = zoneRecords(zone.content).records;
            const owner = slot === 'spf' ? '@' : slot === 'dmarc' ? '_dmarc' : '_smtp._tls';
            const txt = recs.filter(([o, t]) => o === owner && t === 'TXT').map(([, , d]) => decodeTxt(d));
            assert.deepEqual(
              txt,
              [slot === 'tlsrpt' ? `v=TLSRPTv1; rua=${v}` : v],
              'the TXT record decodes to the value',
            );
            const j = JSON.parse(r.files.find((f) => f.path === 'model.json')!.content) as {
              domains: Array<Record<string, unknown>>;
            };
            assert.equal(j.domains[0][slot === 'tlsrpt' ? 'tlsRpt' : slot], v, 'model.json holds the value');
          }
        }),
        { numRuns: 150, seed: 7 + slot.length },
      );
      assert.ok(rejected > 0, 'some hostile values are rejected');
      void accepted;
    });
  }

  it('the long and hostile values named in the issue: each rejected, or quoted', async () => {
    const cases: Array<[Slot, string, 'reject' | 'accept']> = [
      ['spf', 'v=spf1 -all\nrelay_domains = *', 'reject'], // newline
      ['spf', 'v=spf1 -all" "x', 'reject'], // quote
      ['spf', 'v=spf1 \\ -all', 'reject'], // backslash
      ['spf', 'v=spf1 \0 -all', 'reject'], // NUL
      ['spf', 'v=spf1 # $x {y} -all', 'accept'], // '#', '$', '{' inside a string: quoted
      ['spf', 'v=spf1 ' + 'ip4:198.51.100.1 '.repeat(19) + '-all', 'accept'], // > 255 bytes
      ['hostname', 'edge1.example.com#x', 'accept'], // '#x' is a comment in the language: the value is edge1.example.com
      ['hostname', 'edge1.example.com\nmynetworks', 'reject'],
      ['name', 'edge1{', 'reject'],
      ['name', 'edge$1', 'reject'],
      ['dnsbl', 'zen.spamhaus.org"', 'reject'],
      ['engine', "clamav'", 'reject'],
      ['cidr', '10.0.0.0/8; mynetworks 0.0.0.0/0', 'reject'], // ';' ends the statement: the rest is an unknown one
    ];
    for (const [slot, v, want] of cases) {
      const r = await gen(topology(slot, v));
      assert.equal(r.errors.length ? 'reject' : 'accept', want, `${slot}=${JSON.stringify(v)}: ${r.errors.join(',')}`);
      if (want === 'accept') assertFilesClean(r.files, `${slot}=${JSON.stringify(v)}`);
    }
    const long = 'v=spf1 ' + 'ip4:198.51.100.1 '.repeat(19) + '-all';
    const zone = (await gen(topology('spf', long))).files.find((f) => f.path === 'bind/db.example.com')!.content;
    const rd = zoneRecords(zone).records.find(([o, t]) => o === '@' && t === 'TXT')![2];
    assert.ok(/^"[^"]+" "[^"]+"$/.test(rd), 'split into two strings');
    assert.equal(decodeTxt(rd), long);
  });

  it('the svg target: hostile accepted values never add markup', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Slot>('spf', 'name', 'hostname', 'poolhost', 'domain'),
        hostile,
        async (slot, v) => {
          const r = await gen(topology(slot, v), ['svg', 'dot', 'mermaid']);
          assertFilesClean(r.files, `${slot}=${JSON.stringify(v)}`);
        },
      ),
      { numRuns: 25, seed: 11 },
    );
  });
});
