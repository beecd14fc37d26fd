// How words are read where a reference may stand: a word with a dot is a
// hostname, one without is a reference; reserved words and enum keywords
// (`mx none`, `dnsbl none`, `via=direct`, `from=any`) are never references.
import { strict as assert } from 'node:assert';
import { checkText } from '../../../server/src/core/check';
import { nearest, editDistance } from '../../../server/src/core/schema/suggest';
import { RESERVED_WORDS } from '../../../server/src/core/schema/schema';
import { coreDiags, expectClean, expectOne, show } from '../syntax/helpers';

const relayGw = (name: string, extra = '') => `gateway ${name} {\n  role relay\n${extra}}\n`;

describe('references and literals', () => {
  it('`mx none` is a null MX, never a reference', () => {
    const r = checkText('domain a.example.com {\n  mx none\n}\n');
    assert.deepEqual(coreDiags('domain a.example.com {\n  mx none\n}\n'), []);
    assert.ok(r.model.domains[0].mxNone);
    assert.equal(r.model.references.length, 0);
  });

  it('`dnsbl none` on a node is an opt-out, never a reference', () => {
    const r = checkText(relayGw('g', '  dnsbl none\n'));
    assert.deepEqual(coreDiags(relayGw('g', '  dnsbl none\n')), []);
    assert.deepEqual(r.model.nodes[0].dnsbl, {
      zones: [],
      none: true,
      file: 'untitled.mailtopo',
      range: r.model.nodes[0].dnsbl!.range,
    });
    assert.equal(r.model.references.length, 0);
  });

  it('even when a declaration is named like an enum value, `none` and `direct` stay keywords', () => {
    // a gateway may be named `relay` or `edge`; `direct` and `none` cannot be declared at all
    const text = relayGw('edge', '  route * via=direct\n') + 'domain a.example.com {\n  mx none\n}\n';
    const r = checkText(text);
    assert.deepEqual(coreDiags(text), [], show(coreDiags(text)));
    assert.equal(r.model.nodes[0].routes[0].via[0].direct, true);
  });

  it('`none` is not a value in a list of zones or in `options`', () => {
    expectOne('options {\n  dnsbl none\n}\n', 'MT102', 'error', [1, 8, 1, 12], /hostname/);
    expectOne(relayGw('g', '  dnsbl zen.spamhaus.org, none\n'), 'MT102', 'error', [2, 26, 2, 30], /hostname/);
  });

  it('`mx 10 none` is not a null MX', () => {
    expectOne('domain a.example.com {\n  mx 10 none\n}\n', 'MT102', 'error', [1, 8, 1, 12], /reserved word/);
  });

  it('a word with a dot in a place that takes a reference or a hostname is a hostname', () => {
    const text = 'domain a.example.com {\n  mx 10 mx.provider.example\n}\n';
    const r = checkText(text);
    assert.deepEqual(coreDiags(text), []);
    assert.deepEqual(r.model.domains[0].mx[0].target.kind, 'host');
    assert.equal(r.model.references.length, 0);
  });

  it('a word without a dot there is a reference', () => {
    const text =
      'domain a.example.com {\n  mx 10 mx1\n}\ngateway mx1 {\n  role edge\n  hostname mx1.a.example.com\n}\n';
    const r = checkText(text);
    assert.equal(r.model.domains[0].mx[0].target.kind, 'ref');
    assert.equal(r.model.references.length, 1);
    assert.deepEqual(r.model.references[0].range, {
      start: { line: 1, character: 8 },
      end: { line: 1, character: 11 },
    });
  });

  it('an address as MX target is read as an address (MT313 judges it), not a reference', () => {
    const r = checkText('domain a.example.com {\n  mx 10 203.0.113.5\n}\n');
    assert.equal(r.model.domains[0].mx[0].target.kind, 'ip');
    assert.equal(r.model.references.length, 0);
    assert.equal(coreDiags('domain a.example.com {\n  mx 10 203.0.113.5\n}\n').length, 0);
  });

  it('a scanner is a reference or a hostname', () => {
    const r = checkText('policy p {\n  scanner av.example.net\n}\n' + relayGw('g', '  scan p\n'));
    assert.equal(r.model.policies[0].scanner?.hostname, 'av.example.net');
    const r2 = checkText('policy p {\n  scanner g\n}\n' + relayGw('g', '  scan p\n'));
    assert.equal(r2.model.policies[0].scanner?.node?.name, 'g');
  });

  it('`from=` lists take network names, CIDRs, addresses and `any`', () => {
    const text =
      'network corp {\n  cidr 10.0.0.0/8\n}\n' +
      relayGw('g', '  relay allow from=corp, 192.0.2.0/24, 198.51.100.7, 2001:db8::/32\n  relay deny from=any\n');
    expectClean(text);
    const r = checkText(text);
    assert.deepEqual(
      r.model.nodes[0].relays[0].from.map((s) => [s.text, !!s.network]),
      [
        ['corp', true],
        ['192.0.2.0/24', false],
        ['198.51.100.7', false],
        ['2001:db8::/32', false],
      ],
    );
    assert.equal(r.model.nodes[0].relays[1].from[0].any, true);
  });

  it('reserved words cannot be declared, in any declaration kind', () => {
    for (const kind of ['network', 'gateway', 'pool', 'server', 'policy', 'external']) {
      for (const w of RESERVED_WORDS) {
        const all = coreDiags(`${kind} ${w} {\n}\n`);
        assert.ok(
          all.some(
            (d) => d.code === 'MT102' && /reserved word/.test(d.message) && d.range.start.character === kind.length + 1,
          ),
          `${kind} ${w}: ${show(all)}`,
        );
      }
    }
  });

  it('names that look like enum values but are not reserved may be declared and referenced', () => {
    expectClean(relayGw('relay') + relayGw('edge') + 'pool required {\n  mode round-robin\n  members relay, edge\n}\n');
  });

  it('names are case-sensitive references; domains are case-insensitive', () => {
    expectOne(
      relayGw('Edge1') + 'pool p {\n  mode round-robin\n  members edge1\n}\n',
      'MT105',
      'error',
      [5, 10, 5, 15],
      /did you mean 'Edge1'\?/,
    );
    const r = checkText('domain Example.COM {\n}\n');
    assert.equal(r.model.domains[0].name, 'example.com');
  });
});

describe('"did you mean"', () => {
  it('edit distance', () => {
    assert.equal(editDistance('hostnme', 'hostname'), 1);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('same', 'same'), 0);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('nearest: within a distance that fits the word, case-insensitive, or a prefix', () => {
    assert.equal(nearest('hostnme', ['hostname', 'address']), 'hostname');
    assert.equal(nearest('HOSTNAME', ['hostname']), 'hostname');
    assert.equal(nearest('addr', ['hostname', 'address']), 'address');
    assert.equal(nearest('xyz', ['hostname', 'address']), undefined);
    assert.equal(nearest('a', ['b']), 'b'); // one edit is always close enough
    assert.equal(nearest('zz', ['hostname']), undefined);
  });

  it('suggestions for statements, declarations, references, option keys and enum values', () => {
    const text = [
      'gatewy g {', // 0 MT101 -> gateway
      '  role relay',
      '}',
      'gateway edge-1 {', // 3
      '  role edg', // 4 MT109 -> edge
      '  tsl required', // 5 MT101 -> tls
      '  relay allow from=corpnet', // 6 MT105 -> corp-net
      '  accept a.example.com frm=any', // 7 MT108 -> from
      '}',
      'network corp-net {',
      '  cidr 10.0.0.0/8',
      '}',
      'pool p {',
      '  mode balanced',
      '  vip 198.51.100.9',
      '  members edge1', // 15 MT105 -> edge-1
      '}',
    ].join('\n');
    const got = coreDiags(text).map(
      (d) =>
        `${d.code}@${d.range.start.line}:${(/did you mean '([^']+)'/.exec(d.message) ?? [])[1] ?? ''}:${typeof d.data?.suggestion === 'string' ? d.data.suggestion : ''}`,
    );
    for (const want of [
      'MT101@0:gateway:gateway',
      'MT109@4:edge:edge',
      'MT101@5:tls:tls',
      'MT105@6:corp-net:corp-net',
      'MT108@7:from:from',
      'MT105@15:edge-1:edge-1',
    ]) {
      assert.ok(got.includes(want), `${want} not in\n${got.join('\n')}`);
    }
  });
});
