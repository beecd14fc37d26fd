// Issue 14 finding 5: values that passed `check` but broke the generated
// configuration are MT109 now (RULES.md MT109): durations above 2^31-1
// seconds (BIND "bad ttl", HAProxy fatal), sizes above 2^53 bytes (Postfix
// "bad numerical configuration"), hostname labels other than letters, digits
// and hyphens (`ns_1.example`: named-checkzone -k fail), labels over 63
// octets, names over 253. One trailing dot is allowed everywhere.
import * as assert from 'node:assert/strict';
import { checkText } from '../../../server/src/core/check';

const codesOf = (text: string) =>
  checkText(text)
    .diagnostics.filter((d) => /^MT[01]/.test(d.code) && d.code !== 'MT111')
    .map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}`);

const GW = (body: string) => `gateway g {\n  role relay\n${body}}\n`;
const HUGE = '99999999999999999999';

describe('value bounds (issue 14, finding 5)', () => {
  it('ttl, health interval= and max-size beyond their bounds are MT109 on the value', () => {
    assert.deepEqual(codesOf(`options {\n  ttl ${HUGE}w\n}\n`), ['MT109 1:6']);
    assert.deepEqual(codesOf(`policy p {\n  max-size ${HUGE}GB\n}\n`), ['MT109 1:11']);
    const pool = (iv: string) =>
      `pool p {\n  members a, b\n  health smtp interval=${iv}\n}\n` +
      GW('  address 10.0.0.1\n').replace('gateway g', 'gateway a') +
      GW('  address 10.0.0.2\n').replace('gateway g', 'gateway b');
    assert.ok(codesOf(pool(`${HUGE}s`)).includes('MT109 2:23'), codesOf(pool(`${HUGE}s`)).join());
    assert.ok(!codesOf(pool('10s')).some((c) => c.startsWith('MT109')));
  });

  it('the bounds themselves pass; one over fails', () => {
    assert.deepEqual(codesOf(`options {\n  ttl ${2 ** 31 - 1}s\n}\n`), []);
    assert.deepEqual(codesOf(`options {\n  ttl ${2 ** 31}s\n}\n`), ['MT109 1:6']);
    assert.deepEqual(codesOf('options {\n  ttl 68y\n}\n'), ['MT109 1:6'], 'an unknown unit stays MT109');
    assert.deepEqual(codesOf(`policy p {\n  max-size ${2 ** 53}B\n}\n`), []);
    assert.deepEqual(codesOf(`policy p {\n  max-size ${2 ** 53 + 2}B\n}\n`), ['MT109 1:11']);
    assert.deepEqual(codesOf(`policy p {\n  max-size 8192TB\n}\n`), []);
    assert.deepEqual(codesOf(`policy p {\n  max-size 8193TB\n}\n`), ['MT109 1:11']);
  });

  it('nameservers ns_1.example is MT109 (named-checkzone -k fail rejects it); ns-1.example is fine', () => {
    const d = checkText('options {\n  nameservers ns_1.example, ns-1.example\n}\n').diagnostics.filter(
      (x) => x.code === 'MT109',
    );
    assert.equal(d.length, 1);
    assert.deepEqual(d[0].range.start, { line: 1, character: 14 });
    assert.match(d[0].message, /label 'ns_1'.*letters, digits and hyphens/);
  });

  it('every hostname place: hostname, domain, mx target, route host, accept pattern, dnsbl', () => {
    const text =
      'domain bad_one.example {\n  mx 10 mx_1.example.com\n}\n' +
      GW(
        '  hostname edge-.example.com\n  accept *.x_y.example\n  route mail_x.example.net via=direct\n  dnsbl zen_.spamhaus.org\n',
      );
    const got = codesOf(text).filter((c) => c.startsWith('MT109'));
    assert.deepEqual(got, ['MT109 0:7', 'MT109 1:8', 'MT109 5:11', 'MT109 6:9', 'MT109 7:8', 'MT109 8:8']);
  });

  it('labels over 63 octets and names over 253 are MT109', () => {
    const l64 = 'a'.repeat(64);
    assert.deepEqual(codesOf(`domain ${l64}.example.com {\n  mx none\n}\n`), ['MT109 0:7']);
    const long = Array.from({ length: 64 }, () => 'abc').join('.') + '.com'; // 259 characters
    assert.deepEqual(codesOf(`domain ${long} {\n  mx none\n}\n`), ['MT109 0:7']);
    const l63 = 'a'.repeat(63);
    assert.deepEqual(codesOf(`domain ${l63}.example.com {\n  mx none\n}\n`), []);
  });

  it('one trailing dot is allowed (as in zone files); two are not', () => {
    assert.deepEqual(codesOf('domain example.com. {\n  mx none\n}\n'), []);
    assert.deepEqual(codesOf('options {\n  nameservers ns1.example.com.\n}\n'), []);
    assert.deepEqual(codesOf('domain example.com.. {\n  mx none\n}\n'), ['MT109 0:7']);
  });

  it('words that are not hostname-shaped stay MT102 (wrong kind of value)', () => {
    assert.deepEqual(codesOf('options {\n  nameservers ns1\n}\n'), ['MT102 1:14']);
    assert.deepEqual(codesOf('options {\n  nameservers 198.51.100\n}\n'), ['MT102 1:14']);
  });
});
