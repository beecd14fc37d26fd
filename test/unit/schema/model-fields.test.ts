// The statements and fields of the deployable-configuration round, as the
// model exposes them (with their defaults), MT114, and hostnames written with
// a trailing dot (LANGUAGE.md §1: the same host, everywhere).
import { strict as assert } from 'node:assert';
import { checkText } from '../../../server/src/core/check';
import { containsIp, covers, parseCidr, parseIp, addCidr, emptySet } from '../../../server/src/core/model/addr';
import type { Model, NodeDecl, PolicyDecl } from '../../../server/src/core/model/types';
import { coreDiags, expectClean, expectOne, rangeOf, show } from '../syntax/helpers';

function model(text: string): Model {
  const r = checkText(text);
  const core = coreDiags(text).filter((d) => d.severity === 'error');
  assert.deepEqual(core, [], show(core));
  return r.model;
}
const node = (m: Model, name: string) => m.byName.get(name) as NodeDecl;
const policy = (m: Model, name: string) => m.byName.get(name) as PolicyDecl;

describe('model: software, submission, recipients, route auth=', () => {
  it('defaults: gateway postfix, server exchange; no submission; recipients verify (external: none)', () => {
    const m = model(
      'gateway g {\n  role relay\n}\nserver s {\n  role hub\n}\nexternal x {\n  hostname x.example.net\n  route * via=g\n}\n',
    );
    assert.equal(node(m, 'g').software, 'postfix');
    assert.equal(node(m, 's').software, 'exchange');
    assert.equal(node(m, 'x').software, 'other');
    assert.deepEqual(node(m, 'g').submission, []);
    assert.equal(node(m, 'g').submissionStmt, undefined);
    assert.equal(node(m, 'g').recipients, 'verify');
    assert.equal(node(m, 's').recipients, 'verify');
    assert.equal(node(m, 'x').recipients, 'none');
    assert.equal(node(m, 'g').softwareStmt, undefined);
  });

  it('written values, with their statements', () => {
    const m = model(
      'gateway g {\n  role relay\n  software other\n  submission 587, 465\n  recipients list\n}\n' +
        'server s {\n  role hub\n  software postfix\n  recipients none\n}\n' +
        'external x {\n  hostname x.example.net\n  recipients verify\n  route * via=g\n}\n',
    );
    const g = node(m, 'g');
    assert.equal(g.software, 'other');
    assert.deepEqual(g.submission, [587, 465]);
    assert.deepEqual(g.submissionStmt?.value, [587, 465]);
    assert.equal(g.submissionStmt?.range.start.line, 3);
    assert.equal(g.recipients, 'list');
    assert.equal(g.recipientsStmt?.range.start.line, 4);
    assert.equal(node(m, 's').software, 'postfix');
    assert.equal(node(m, 's').recipients, 'none');
    assert.equal(node(m, 'x').recipients, 'verify');
  });

  it('an enum outside its set is MT109', () => {
    expectOne('gateway g {\n  role relay\n  software sendmail\n}\n', 'MT109', 'error', [2, 11, 2, 19]);
    expectOne('gateway g {\n  role relay\n  recipients maybe\n}\n', 'MT109', 'error', [2, 13, 2, 18]);
    expectOne('gateway g {\n  role relay\n  route * via=direct auth=maybe\n}\n', 'MT109', 'error', [2, 26, 2, 31]);
  });

  it('route auth=yes|no [no]', () => {
    const m = model('gateway g {\n  role relay\n  route a.example.com via=direct auth=yes\n  route * via=direct\n}\n');
    assert.deepEqual(
      node(m, 'g').routes.map((r) => r.auth),
      [true, false],
    );
  });

  it('`software` is not a pool statement', () => {
    expectOne(
      'pool p {\n  mode round-robin\n  members g\n  software postfix\n}\ngateway g {\n  role relay\n}\n',
      'MT101',
      'error',
      [3, 2, 3, 10],
    );
  });
});

describe('model: pool source and snat', () => {
  const pool = (extra: string) =>
    `pool p {\n  mode balanced\n  vip 198.51.100.10\n  members g\n${extra}}\ngateway g {\n  role relay\n}\n`;

  it('defaults: source preserved, snat the vip', () => {
    const p = node(model(pool('')), 'p');
    assert.equal(p.source, 'preserved');
    assert.equal(p.sourceStmt, undefined);
    assert.deepEqual(p.snat, ['198.51.100.10']);
    assert.equal(p.snatStmt, undefined);
    assert.ok(containsIp(p.snatSet, parseIp('198.51.100.10')!));
  });

  it('written source and snat (in either order of the vip)', () => {
    const p = node(model(pool('  source masked\n  snat 10.9.0.1, 10.9.0.2\n')), 'p');
    assert.equal(p.source, 'masked');
    assert.equal(p.sourceStmt?.range.start.line, 4);
    assert.deepEqual(p.snat, ['10.9.0.1', '10.9.0.2']);
    assert.ok(containsIp(p.snatSet, parseIp('10.9.0.2')!));
    assert.ok(!containsIp(p.snatSet, parseIp('198.51.100.10')!));
    const q = node(
      model(
        'pool p {\n  snat 10.9.0.1\n  mode balanced\n  vip 198.51.100.10\n  members g\n}\ngateway g {\n  role relay\n}\n',
      ),
      'p',
    );
    assert.deepEqual(q.snat, ['10.9.0.1']);
  });

  it('a round-robin pool without vip or snat has no snat addresses', () => {
    const p = node(model('pool p {\n  mode round-robin\n  members g\n}\ngateway g {\n  role relay\n}\n'), 'p');
    assert.deepEqual(p.snat, []);
    assert.deepEqual(p.snatSet, emptySet());
  });

  it('source proxy-protocol; a bad value is MT109, snat takes addresses only', () => {
    assert.equal(node(model(pool('  source proxy-protocol\n')), 'p').source, 'proxy-protocol');
    expectOne(pool('  source hidden\n'), 'MT109', 'error', [4, 9, 4, 15]);
    expectOne(pool('  snat 10.0.0.0/8\n'), 'MT102', 'error', [4, 7, 4, 17]);
  });
});

describe('model: policy method', () => {
  const pol = (body: string) => `policy p {\n${body}}\ngateway g {\n  role relay\n  scan p\n}\n`;
  it('milter by default, content-filter when an engine is amavis, the written method otherwise', () => {
    assert.equal(policy(model(pol('  antivirus clamav\n')), 'p').method, 'milter');
    assert.equal(policy(model(pol('  antivirus amavis\n')), 'p').method, 'content-filter');
    assert.equal(policy(model(pol('  antivirus clamav\n  antispam amavis\n')), 'p').method, 'content-filter');
    const m = policy(model(pol('  method proxy\n  antivirus amavis\n')), 'p');
    assert.equal(m.method, 'proxy');
    assert.equal(m.methodStmt?.range.start.line, 1);
    assert.equal(policy(model(pol('  antivirus clamav\n  method content-filter\n')), 'p').method, 'content-filter');
    expectOne(pol('  method queue\n'), 'MT109', 'error', [1, 9, 1, 14]);
  });
});

describe('model: external address ranges, role backup, scan, recipients', () => {
  const ext = (body: string) =>
    `external cloud {\n  hostname in.cloud.example.net\n${body}  route * via=g\n}\ngateway ` +
    `g {\n  role relay\n}\npolicy av {\n  antivirus clamav\n}\n`;

  it('address takes addresses and ranges; one parsed set holds both', () => {
    const x = node(model(ext('  address 198.51.100.7, 203.0.113.0/24, 2001:db8:5::/48\n  scan av\n')), 'cloud');
    assert.deepEqual(x.addresses, ['198.51.100.7']);
    assert.deepEqual(x.addressRanges, ['203.0.113.0/24', '2001:db8:5::/48']);
    assert.ok(containsIp(x.addressSet, parseIp('203.0.113.77')!));
    assert.ok(containsIp(x.addressSet, parseIp('198.51.100.7')!));
    assert.ok(containsIp(x.addressSet, parseIp('2001:db8:5::1')!));
    assert.ok(!containsIp(x.addressSet, parseIp('198.51.100.8')!));
    assert.deepEqual(x.addressStmt?.value, ['198.51.100.7', '203.0.113.0/24', '2001:db8:5::/48']);
  });

  it('a gateway address is still a single address (a range is MT102)', () => {
    expectOne('gateway g {\n  role relay\n  address 10.0.0.0/8\n}\n', 'MT102', 'error', [2, 10, 2, 20]);
    const g = node(model('gateway g {\n  role relay\n  address 10.0.0.1, 10.0.0.2\n}\n'), 'g');
    assert.ok(covers(g.addressSet, addCidr(emptySet(), parseCidr('10.0.0.1/32')!)));
    assert.deepEqual(g.addressRanges, []);
  });

  it('role backup; scan resolves to the policy (and references it)', () => {
    const m = model(ext('  role backup\n  scan av\n'));
    const x = node(m, 'cloud');
    assert.equal(x.role, 'backup');
    assert.equal(x.scan?.policy, policy(m, 'av'));
    assert.ok(
      !checkText(ext('  role backup\n  scan av\n')).diagnostics.some((d) => d.code === 'MT111' && /av/.test(d.message)),
    );
  });

  it('scan of an undeclared or wrong-kind name is MT105/MT106', () => {
    expectOne(ext('  scan avx\n'), 'MT105', 'error', [2, 7, 2, 10], /did you mean 'av'/);
    expectOne(ext('  scan g\n'), 'MT106', 'error', [2, 7, 2, 8]);
  });
});

describe('MT114 one port twice on a node', () => {
  const gw = (body: string) => `gateway g {\n  role relay\n${body}}\n`;

  it('within listen: on the second occurrence, related to the first', () => {
    const d = expectOne(gw('  listen 25, 587, 25\n'), 'MT114', 'error', [2, 18, 2, 20], /port 25 is twice in 'listen'/);
    assert.deepEqual(rangeOf(d.related![0]), [2, 9, 2, 11]);
  });

  it('within submission', () => {
    const d = expectOne(
      gw('  submission 587,\n    465, 587\n'),
      'MT114',
      'error',
      [3, 9, 3, 12],
      /twice in 'submission'/,
    );
    assert.deepEqual(rangeOf(d.related![0]), [2, 13, 2, 16]);
  });

  it('within a pool’s ports', () => {
    const text = 'pool p {\n  mode round-robin\n  members g\n  ports 25, 25\n}\ngateway g {\n  role relay\n}\n';
    expectOne(text, 'MT114', 'error', [3, 12, 3, 14], /port 25 is twice in 'ports' of pool 'p'/);
  });

  it('in both listen and submission: on the later line', () => {
    const d = expectOne(
      gw('  listen 25, 587\n  submission 465, 587\n'),
      'MT114',
      'error',
      [3, 18, 3, 21],
      /port 587 is in both 'listen' and 'submission' of gateway 'g'/,
    );
    assert.deepEqual(rangeOf(d.related![0]), [2, 13, 2, 16]);
    const e = expectOne(
      'server s {\n  role hub\n  submission 587\n  listen 25, 587\n}\n',
      'MT114',
      'error',
      [3, 13, 3, 16],
      /in both 'submission' and 'listen'/,
    );
    assert.deepEqual(rangeOf(e.related![0]), [2, 13, 2, 16]);
  });

  it('submission 25 without a listen line collides with the default listen 25', () => {
    const d = expectOne(gw('  submission 25\n'), 'MT114', 'error', [2, 13, 2, 15], /default 'listen 25'/);
    assert.deepEqual(rangeOf(d.related![0]), [0, 8, 0, 9]);
  });

  it('no MT114 for distinct ports, or the same port on two nodes', () => {
    expectClean(gw('  listen 25, 2525\n  submission 587, 465\n'));
    expectClean(gw('  submission 587\n') + 'server s {\n  role hub\n  listen 587\n}\n');
    expectClean('pool p {\n  mode round-robin\n  members g\n  ports 25, 587\n}\n' + gw('  listen 25, 587\n'));
  });
});

describe('a trailing dot names the same host', () => {
  it('hostnames, domains, patterns, MX hosts, DNSBL zones, nameservers and scanner hosts lose it', () => {
    const m = model(
      'options {\n  dnsbl zen.spamhaus.org.\n  nameservers ns1.example.com., ns2.example.com\n}\n' +
        'domain Example.COM. {\n  mx 10 mx.provider.net.\n  mx 20 g\n}\n' +
        'policy av {\n  antivirus clamav\n  scanner scan.example.com.\n}\n' +
        'gateway g {\n  role edge\n  hostname g.example.com.\n  address 198.51.100.1\n  dnsbl bl.spamcop.net.\n' +
        '  accept example.com., *.example.com.\n  scan av\n  route example.com. via=s\n  route * via=direct\n}\n' +
        'server s {\n  role mailbox\n  mailboxes example.com.\n  route * via=g\n}\n',
    );
    assert.deepEqual(m.options.dnsbl, ['zen.spamhaus.org']);
    assert.deepEqual(m.options.nameservers, ['ns1.example.com', 'ns2.example.com']);
    assert.equal(m.domains[0].name, 'example.com');
    assert.deepEqual(m.domains[0].mx[0].target, {
      kind: 'host',
      hostname: 'mx.provider.net',
      scalar: m.domains[0].mx[0].target.scalar,
    });
    assert.equal(policy(m, 'av').scanner?.hostname, 'scan.example.com');
    const g = node(m, 'g');
    assert.equal(g.hostname?.value, 'g.example.com');
    assert.deepEqual(g.dnsbl?.zones, ['bl.spamcop.net']);
    assert.deepEqual(g.accepts[0].patterns, ['example.com', '*.example.com']);
    assert.deepEqual(g.routes[0].patterns, ['example.com']);
    assert.deepEqual(node(m, 's').mailboxes?.patterns, ['example.com']);
  });

  it('two routes for `a.example.com` and `a.example.com.` are the same pattern (MT107)', () => {
    expectOne(
      'gateway g {\n  role relay\n  route a.example.com via=direct\n  route a.example.com. via=direct\n}\n',
      'MT107',
      'error',
      [3, 8, 3, 22],
    );
  });

  it('a domain declared with and without the dot is declared twice (MT104)', () => {
    expectOne(
      'domain a.example.com {\n  mx none\n}\ndomain a.example.com. {\n  mx none\n}\n',
      'MT104',
      'error',
      [3, 7, 3, 21],
    );
  });
});
