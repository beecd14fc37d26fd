// MT101-MT113: every schema and reference code with its severity and exact
// range (0-based line/character, like LSP), related information, and the
// "did you mean" data quick fixes read.
import { strict as assert } from 'node:assert';
import { coreDiags, expectClean, expectOne, rangeOf, show } from '../syntax/helpers';

/** A gateway that is complete on its own (role relay: internal, no MX). */
const relayGw = (name: string, extra = '') => `gateway ${name} {\n  role relay\n${extra}}\n`;

describe('MT101 unknown statement', () => {
  it('an unknown declaration keyword, with a suggestion', () => {
    const d = expectOne('gatway g {\n  role relay\n}\n', 'MT101', 'error', [0, 0, 0, 6], /did you mean 'gateway'\?/);
    assert.equal(d.data?.suggestion, 'gateway');
  });

  it('an unknown statement in a block, with a suggestion', () => {
    const d = expectOne(
      'gateway g {\n  role relay\n  hostnme g.example.com\n}\n',
      'MT101',
      'error',
      [2, 2, 2, 9],
      /unknown statement 'hostnme' in gateway 'g': did you mean 'hostname'\?/,
    );
    assert.equal(d.data?.suggestion, 'hostname');
  });

  it('suggestions come from the block the statement stands in', () => {
    expectOne(
      'pool p {\n  mode balanced\n  vip 203.0.113.5\n  member a\n}\n',
      'MT101',
      'error',
      [3, 2, 3, 8],
      /did you mean 'members'\?/,
    );
    expectOne('options {\n  dnsbls zen.spamhaus.org\n}\n', 'MT101', 'error', [1, 2, 1, 8], /did you mean 'dnsbl'\?/);
    expectOne('policy p {\n  antivirs clamav\n}\n', 'MT101', 'error', [1, 2, 1, 10], /did you mean 'antivirus'\?/);
    expectOne(
      'domain a.example.com {\n  dmark "v=DMARC1; p=reject"\n}\n',
      'MT101',
      'error',
      [1, 2, 1, 7],
      /did you mean 'dmarc'\?/,
    );
  });

  it('no suggestion when nothing is close', () => {
    const d = expectOne('gateway g {\n  role relay\n  frobnicate 3\n}\n', 'MT101', 'error', [2, 2, 2, 12]);
    assert.doesNotMatch(d.message, /did you mean/);
  });

  it('a statement of another block says where it belongs', () => {
    expectOne(
      'gateway g {\n  role relay\n  mailboxes a.example.com\n}\n',
      'MT101',
      'error',
      [2, 2, 2, 11],
      /belongs in a server/,
    );
    expectOne('hostname a.example.com\n', 'MT101', 'error', [0, 0, 0, 8], /not a declaration: it belongs inside/);
    expectOne('mx 10 a.example.com\n', 'MT101', 'error', [0, 0, 0, 2], /inside a domain/);
  });

  it("a statement the block's role does not take: `mailboxes` on a hub", () => {
    expectOne(
      'server h {\n  role hub\n  mailboxes a.example.com\n}\n',
      'MT101',
      'error',
      [2, 2, 2, 11],
      /only for a server with role mailbox; server 'h' has role hub/,
    );
    expectOne('server h {\n  mailboxes a.example.com\n  role hub\n}\n', 'MT101', 'error', [1, 2, 1, 11]);
    expectClean('server m {\n  role mailbox\n  mailboxes a.example.com\n}\n');
  });

  it('a top-level keyword inside a block hints at a missing }', () => {
    expectOne(
      'gateway g {\n  role relay\n  policy p {\n  }\n}\n',
      'MT101',
      'error',
      [2, 2, 2, 8],
      /is a '\}' missing above/,
    );
  });

  it('names of JavaScript object members are unknown statements and options like any other word', () => {
    for (const w of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expectOne(`gateway g {\n  role relay\n  ${w} x\n}\n`, 'MT101', 'error', [2, 2, 2, 2 + w.length]);
      expectOne(`${w} x {\n}\n`, 'MT101', 'error', [0, 0, 0, w.length]);
      expectOne(`gateway g {\n  role relay\n  relay allow from=any ${w}=1\n}\n`, 'MT108', 'error', [
        2,
        23,
        2,
        23 + w.length,
      ]);
    }
  });

  it('statements of every block kind are known there', () => {
    expectClean(
      `options {\n  dnsbl zen.spamhaus.org\n  ttl 1h\n  nameservers ns1.a.example.com\n  contact hostmaster@a.example.com\n}\n`,
    );
  });
});

describe('MT102 wrong number or kind of arguments', () => {
  it('a malformed address', () => {
    expectOne(
      relayGw('g', '  address 198.51.100\n'),
      'MT102',
      'error',
      [2, 10, 2, 20],
      /^expected an IPv4 or IPv6 address, got '198\.51\.100'$/,
    );
  });

  it('too many arguments: the range covers the extra ones', () => {
    expectOne(
      relayGw('g', '  address 10.0.0.1 10.0.0.2 10.0.0.3\n'),
      'MT102',
      'error',
      [2, 19, 2, 36],
      /takes 1 argument/,
    );
  });

  it('a missing argument: on the keyword', () => {
    expectOne(relayGw('g', '  hostname\n'), 'MT102', 'error', [2, 2, 2, 10], /hostname/);
    expectOne('domain a.example.com {\n  mx 10\n}\n', 'MT102', 'error', [1, 2, 1, 4], /target/);
  });

  it('a list where one value is allowed', () => {
    expectOne('gateway g {\n  role relay, edge\n}\n', 'MT102', 'error', [1, 7, 1, 18], /takes one/);
  });

  it('a required option is missing: on the keyword', () => {
    expectOne(relayGw('g', '  relay allow\n'), 'MT102', 'error', [2, 2, 2, 7], /from=/);
    expectOne(relayGw('g', '  route *\n'), 'MT102', 'error', [2, 2, 2, 7], /via=/);
  });

  it('a quoted string where a word belongs, and a word where a string belongs', () => {
    expectOne('gateway g {\n  role "relay"\n}\n', 'MT102', 'error', [1, 7, 1, 14], /quoted string/);
    expectOne('domain a.example.com {\n  spf v-spf1\n}\n', 'MT102', 'error', [1, 6, 1, 12], /quoted string/);
  });

  it('a string value that would break a generated file', () => {
    expectOne(
      'domain a.example.com {\n  spf "v=spf1 \\" -all"\n}\n',
      'MT102',
      'error',
      [1, 6, 1, 22],
      /may not contain/,
    );
    expectOne(
      'domain a.example.com {\n  tls-rpt "ftp://x"\n}\n',
      'MT102',
      'error',
      [1, 10, 1, 19],
      /mailto: or https:/,
    );
  });

  it('a declaration name with a dot, or a reserved word', () => {
    expectOne(
      'gateway a.example.com {\n  role relay\n}\n',
      'MT102',
      'error',
      [0, 8, 0, 21],
      /names never contain a dot/,
    );
    for (const w of ['none', 'any', 'direct', 'internet', 'yes', 'no']) {
      expectOne(`network ${w} {\n  cidr 10.0.0.0/8\n}\n`, 'MT102', 'error', [0, 8, 0, 8 + w.length], /reserved word/);
    }
  });

  it('a domain without a dot', () => {
    expectOne('domain localhost {\n}\n', 'MT102', 'error', [0, 7, 0, 16], /hostname with a dot/);
  });

  it('a declaration without a name, or with two', () => {
    expectOne('gateway {\n  role relay\n}\n', 'MT102', 'error', [0, 0, 0, 7], /needs a name/);
    expectOne('gateway a b {\n  role relay\n}\n', 'MT102', 'error', [0, 10, 0, 11], /one name/);
  });

  it('import takes one quoted path; options take no arguments', () => {
    expectOne('import other.mailtopo\n', 'MT102', 'error', [0, 7, 0, 21], /quoted path/);
    expectOne('import\n', 'MT102', 'error', [0, 0, 0, 6], /quoted path/);
    expectOne('options x {\n}\n', 'MT102', 'error', [0, 8, 0, 9], /no arguments/);
  });

  it('a hostname where only a reference is allowed (a word with a dot is a hostname)', () => {
    expectOne(
      relayGw('g', '  route * via=relay.example.com\n'),
      'MT102',
      'error',
      [2, 14, 2, 31],
      /got the hostname 'relay\.example\.com'/,
    );
    expectOne(
      'pool p {\n  mode round-robin\n  members a.example.com\n}\n',
      'MT102',
      'error',
      [2, 10, 2, 23],
      /hostname/,
    );
  });

  it('a reserved word where a reference is expected', () => {
    expectOne(relayGw('g', '  scan none\n'), 'MT102', 'error', [2, 7, 2, 11], /reserved word/);
    expectOne(relayGw('g', '  relay allow from=internet\n'), 'MT102', 'error', [2, 19, 2, 27], /reserved word/);
  });

  it('wrong kinds of value in lists point at the item', () => {
    expectOne('network n {\n  cidr 10.0.0.0/8, 10.1.0.0/33\n}\n', 'MT102', 'error', [1, 19, 1, 30], /address range/);
    expectOne(relayGw('g', '  listen 25, smtp\n'), 'MT102', 'error', [2, 13, 2, 17], /port/);
  });
});

describe('MT103 required statement missing', () => {
  it('on the declaration name', () => {
    const d = expectOne(
      'gateway g {\n  hostname g.example.com\n}\n',
      'MT103',
      'error',
      [0, 8, 0, 9],
      /gateway 'g' has no 'role'/,
    );
    assert.equal(d.data?.missing, 'role');
    expectOne('server mbx-1 {\n}\n', 'MT103', 'error', [0, 7, 0, 12], /'role'/);
    expectOne('network n {\n}\n', 'MT103', 'error', [0, 8, 0, 9], /'cidr'/);
  });

  it('a pool needs mode and members, and a vip unless round-robin', () => {
    const all = coreDiags('pool p {\n}\n').filter((d) => d.code === 'MT103');
    assert.deepEqual(
      all.map((d) => [d.data?.missing, rangeOf(d)]).sort(),
      [
        ['members', [0, 5, 0, 6]],
        ['mode', [0, 5, 0, 6]],
      ],
      show(all),
    );
    expectOne(relayGw('a') + 'pool p {\n  mode balanced\n  members a\n}\n', 'MT103', 'error', [3, 5, 3, 6], /'vip'/);
    expectClean(relayGw('a') + 'pool p {\n  mode round-robin\n  members a\n}\n');
  });

  it("an external's hostname is required, unless it is an MX target (MT308 says it there)", () => {
    expectOne(
      'external isp {\n  role smarthost\n}\n' + relayGw('g', '  route * via=isp\n'),
      'MT103',
      'error',
      [0, 9, 0, 12],
      /'hostname'/,
    );
    const all = coreDiags('external filter {\n  role filter\n}\ndomain a.example.com {\n  mx 10 filter\n}\n');
    assert.deepEqual(
      all.filter((d) => d.code === 'MT103'),
      [],
      show(all),
    );
  });

  it('a block with its required statements is clean', () => {
    expectClean(
      relayGw('g') +
        'server s {\n  role hub\n}\nnetwork n {\n  cidr 10.0.0.0/8\n}\n' +
        relayGw('h', '  relay allow from=n\n'),
    );
  });
});

describe('MT104 declared twice', () => {
  it('on the second name, with the first as related information', () => {
    const d = expectOne(
      relayGw('g') + 'server g {\n  role hub\n}\n',
      'MT104',
      'error',
      [3, 7, 3, 8],
      /'g' is already declared as a gateway/,
    );
    assert.deepEqual(
      d.related?.map((r) => [r.file, rangeOf(r), r.message]),
      [['test.mailtopo', [0, 8, 0, 9], 'first declared here']],
    );
  });

  it('domains compare case-insensitively and without a trailing dot', () => {
    const d = expectOne(
      'domain A.Example.COM {\n}\ndomain a.example.com. {\n}\n',
      'MT104',
      'error',
      [2, 7, 2, 21],
      /declared twice/,
    );
    assert.deepEqual(rangeOf(d.related![0]), [0, 7, 0, 20]);
  });

  it('a domain and a node may share nothing (separate namespaces for domains)', () => {
    expectClean('domain a.example.com {\n}\n' + relayGw('g'));
  });
});

describe('MT105 undeclared reference', () => {
  it('with the nearest name of an allowed kind', () => {
    const text = 'domain a.example.com {\n  mx 10 edge\n}\n' + 'gateway edge1 {\n  role edge\n}\n';
    const d = expectOne(text, 'MT105', 'error', [1, 8, 1, 12], /'edge' is not declared: did you mean 'edge1'\?/);
    assert.equal(d.data?.suggestion, 'edge1');
  });

  it('suggests only declarations of a kind the place accepts', () => {
    // 'corp1' is a network; a next hop must be a gateway, pool, server or external
    const text =
      'network corp1 {\n  cidr 10.0.0.0/8\n}\n' + relayGw('g', '  relay allow from=corp1\n  route * via=corp\n');
    const d = expectOne(text, 'MT105', 'error', [6, 14, 6, 18]);
    assert.doesNotMatch(d.message, /did you mean/);
  });

  it('in every reference position', () => {
    const cases: Array<[string, [number, number, number, number]]> = [
      [relayGw('g', '  scan av\n'), [2, 7, 2, 9]],
      [relayGw('g', '  relay allow from=corp\n'), [2, 19, 2, 23]],
      [relayGw('g', '  accept a.example.com from=corp\n'), [2, 28, 2, 32]],
      [relayGw('g', '  route * via=direct, hub\n'), [2, 22, 2, 25]],
      ['pool p {\n  mode round-robin\n  members m1\n}\n', [2, 10, 2, 12]],
      ['policy p {\n  scanner av-host\n}\n', [1, 10, 1, 17]],
      ['domain a.example.com {\n  mx 10 mx1\n}\n', [1, 8, 1, 11]],
    ];
    for (const [text, r] of cases) expectOne(text, 'MT105', 'error', r);
  });
});

describe('MT106 reference to the wrong kind', () => {
  it('an MX target that is a server', () => {
    const d = expectOne(
      'domain a.example.com {\n  mx 10 ex1\n}\nserver ex1 {\n  role mailbox\n}\n',
      'MT106',
      'error',
      [1, 8, 1, 11],
      /^'ex1' is a server; an MX target must be a gateway, pool or external$/,
    );
    assert.deepEqual(
      d.related?.map((r) => rangeOf(r)),
      [[3, 7, 3, 10]],
    );
  });

  it('a scan policy that is a gateway, a network that is a policy, a member that is a pool', () => {
    expectOne(relayGw('g', '  scan g\n'), 'MT106', 'error', [2, 7, 2, 8], /policy/);
    expectOne(
      'policy p {\n  antivirus clamav\n}\n' + relayGw('g', '  relay allow from=p\n  scan p\n'),
      'MT106',
      'error',
      [5, 19, 5, 20],
      /network/,
    );
    expectOne(
      relayGw('g') + 'pool a {\n  mode round-robin\n  members g\n}\npool b {\n  mode round-robin\n  members a\n}\n',
      'MT106',
      'error',
      [9, 10, 9, 11],
      /gateway or server/,
    );
  });
});

describe('MT107 once-only statement repeated', () => {
  it('a second role: on the second, related to the first', () => {
    const d = expectOne(
      'gateway g {\n  role relay\n  role edge\n}\n',
      'MT107',
      'error',
      [2, 2, 2, 6],
      /'role' may appear once/,
    );
    assert.deepEqual(
      d.related?.map((r) => rangeOf(r)),
      [[1, 2, 1, 12]],
    );
  });

  it('the same option key twice on one statement', () => {
    expectOne(
      'network a {\n  cidr 10.0.0.0/8\n}\n' + relayGw('g', '  relay allow from=a from=any\n'),
      'MT107',
      'error',
      [5, 21, 5, 25],
      /option 'from=' appears twice/,
    );
  });

  it('two routes for the same pattern (case-insensitive), on the pattern', () => {
    const d = expectOne(
      relayGw('g', '  route a.example.com via=direct\n  route b.example.com, A.example.com via=direct\n'),
      'MT107',
      'error',
      [3, 23, 3, 36],
      /second route/,
    );
    assert.deepEqual(rangeOf(d.related![0]), [2, 2, 2, 32]);
  });

  it('a second options block, across the workspace', () => {
    expectOne('options {\n}\noptions {\n}\n', 'MT107', 'error', [2, 0, 2, 7], /second 'options'/);
  });

  it('repeatable statements may repeat', () => {
    expectClean(
      relayGw(
        'g',
        '  accept a.example.com\n  accept b.example.com\n  relay deny from=10.1.0.0/16\n  relay allow from=10.0.0.0/8\n',
      ),
    );
  });
});

describe('MT108 unknown option', () => {
  it('an unknown key, with a suggestion', () => {
    const d = expectOne(
      relayGw('g', '  relay allow from=any frm=x\n'),
      'MT108',
      'error',
      [2, 23, 2, 26],
      /unknown option 'frm=' on 'relay': did you mean 'from'\?/,
    );
    assert.equal(d.data?.suggestion, 'from');
  });

  it('an option on a statement that takes none', () => {
    expectOne(relayGw('g', '  tls required mode=x\n'), 'MT108', 'error', [2, 15, 2, 19], /'tls' takes no options/);
  });

  it('an option on a declaration', () => {
    expectOne('gateway g x=1 {\n  role relay\n}\n', 'MT108', 'error', [0, 10, 0, 11], /takes no options/);
  });
});

describe('MT109 value outside its set or range', () => {
  it('an enum value, with a suggestion', () => {
    const d = expectOne(
      'gateway g {\n  role edg\n}\n',
      'MT109',
      'error',
      [1, 7, 1, 10],
      /'edg' is not one of 'edge', 'proxy' or 'relay': did you mean 'edge'\?/,
    );
    assert.equal(d.data?.suggestion, 'edge');
    expectOne(relayGw('g', '  tls requird\n'), 'MT109', 'error', [2, 6, 2, 13], /did you mean 'required'\?/);
    expectOne(
      'domain a.example.com {\n  mta-sts enforcing\n}\n',
      'MT109',
      'error',
      [1, 10, 1, 19],
      /did you mean 'enforce'\?/,
    );
    expectOne(
      relayGw('g', '  relay allow from=any auth=requird\n'),
      'MT109',
      'error',
      [2, 28, 2, 35],
      /did you mean 'required'\?/,
    );
  });

  it('ports outside 1..65535', () => {
    expectOne(relayGw('g', '  listen 0\n'), 'MT109', 'error', [2, 9, 2, 10], /outside 1\.\.65535/);
    expectOne(relayGw('g', '  listen 25, 70000\n'), 'MT109', 'error', [2, 13, 2, 18], /outside 1\.\.65535/);
  });

  it('an MX preference outside 0..65535', () => {
    expectOne(
      'domain a.example.com {\n  mx 65536 a.example.net\n}\n',
      'MT109',
      'error',
      [1, 5, 1, 10],
      /MX preference/,
    );
    expectClean('domain a.example.com {\n  mx 0 a.example.net\n  mx 65535 b.example.net\n}\n');
  });

  it('durations and sizes with unknown units', () => {
    expectOne('options {\n  ttl 10x\n}\n', 'MT109', 'error', [1, 6, 1, 9], /not a duration/);
    expectOne('policy p {\n  max-size 25XB\n}\n', 'MT109', 'error', [1, 11, 1, 15], /not a size/);
  });
});

describe('MT110 import problems (single text)', () => {
  it('a missing file: on the path string', () => {
    expectOne('import "nowhere-to-be-found.mailtopo"\n', 'MT110', 'error', [0, 7, 0, 37], /cannot import/);
  });
});

describe('MT111 never referenced', () => {
  it('a network, a policy and an external: hint, tag unnecessary, on the name', () => {
    for (const [text, r] of [
      ['network corp {\n  cidr 10.0.0.0/8\n}\n', [0, 8, 0, 12]],
      ['policy av {\n  antivirus clamav\n}\n', [0, 7, 0, 9]],
      ['external isp {\n  hostname smtp.isp.example\n}\n', [0, 9, 0, 12]],
    ] as Array<[string, [number, number, number, number]]>) {
      const d = expectOne(text, 'MT111', 'hint', r, /never referenced/);
      assert.deepEqual(d.tags, ['unnecessary']);
    }
  });

  it('a referenced one, and gateways/servers/pools, are not reported', () => {
    expectClean(
      'network corp {\n  cidr 10.0.0.0/8\n}\n' +
        relayGw('g', '  relay allow from=corp\n') +
        'server s {\n  role hub\n}\n',
    );
  });
});

describe('MT112 the same address on two nodes', () => {
  it("a warning on the second node's address, related to the first", () => {
    const d = expectOne(
      relayGw('a', '  address 10.0.0.1\n') + relayGw('b', '  address 10.0.0.1\n'),
      'MT112',
      'warning',
      [6, 10, 6, 18],
      /10\.0\.0\.1.*gateway 'a'/,
    );
    assert.deepEqual(rangeOf(d.related![0]), [2, 10, 2, 18]);
    // in a list, only the shared address is marked
    const e = expectOne(
      relayGw('a', '  address 10.0.0.9, 10.0.0.1\n') + relayGw('b', '  address 10.0.0.7, 10.0.0.1\n'),
      'MT112',
      'warning',
      [6, 20, 6, 28],
    );
    assert.deepEqual(rangeOf(e.related![0]), [2, 20, 2, 28]);
  });

  it('IPv6 addresses compare in canonical form', () => {
    expectOne(
      relayGw('a', '  address 2001:db8::25\n') + relayGw('b', '  address 2001:DB8:0:0::25\n'),
      'MT112',
      'warning',
      [6, 10, 6, 26],
    );
  });

  it("a pool's vip counts; its own members do not (MT403 says that)", () => {
    expectOne(
      relayGw('a', '  address 10.0.0.5\n') +
        'pool p {\n  mode balanced\n  vip 10.0.0.5\n  members m\n}\n' +
        relayGw('m'),
      'MT112',
      'warning',
      [6, 6, 6, 14],
    );
    const own = coreDiags(
      relayGw('m', '  address 10.0.0.5\n') + 'pool p {\n  mode balanced\n  vip 10.0.0.5\n  members m\n}\n',
    );
    assert.deepEqual(
      own.filter((d) => d.code === 'MT112'),
      [],
      show(own),
    );
  });
});

describe('MT113 blocks where none belong, declarations without one', () => {
  it('a block on a statement that takes none: on the {', () => {
    expectOne('gateway g {\n  role relay {\n  }\n}\n', 'MT113', 'error', [1, 13, 1, 14], /takes no block/);
    expectOne('import "x.mailtopo" {\n}\n', 'MT113', 'error', [0, 20, 0, 21], /takes no block/);
  });

  it('a declaration without its block: on the keyword', () => {
    expectOne('gateway g\n', 'MT113', 'error', [0, 0, 0, 7], /needs a block/);
    expectOne('options\n', 'MT113', 'error', [0, 0, 0, 7], /needs a block/);
  });

  it('empty blocks are allowed', () => {
    expectClean('options {\n}\noptions {}\n'.replace('options {}\n', '') + 'domain a.example.com {}\n');
  });
});
