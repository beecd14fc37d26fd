import * as assert from 'node:assert/strict';
import {
  canonicalIp,
  inCidr,
  isPrivateAddress,
  parseIp,
  reverseName,
  reversedLabels,
  sameIp,
  normalizeName,
} from '../../../server/src/core/dns/ip';
import { isPrivateAddress as fromLiveInput } from '../../../server/src/core/dns/liveInput';

describe('dns/ip', () => {
  it('private addresses per LANGUAGE.md §4; documentation ranges are public', () => {
    const priv = [
      '10.0.0.1',
      '10.255.255.255',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '100.64.0.1',
      '100.127.255.255',
      '127.0.0.1',
      '127.9.9.9',
      '169.254.1.1',
      '::1',
      'fc00::1',
      'fdff:ffff::1',
      'fe80::1',
      'febf::1',
    ];
    const pub = [
      '11.0.0.1',
      '172.15.255.255',
      '172.32.0.1',
      '192.169.0.1',
      '100.63.255.255',
      '100.128.0.1',
      '169.253.1.1',
      '8.8.8.8',
      '192.0.2.1',
      '198.51.100.7',
      '203.0.113.9',
      '2001:db8::25',
      '::2',
      'fe00::1',
      'fec0::1',
      '2a00:1450::1',
    ];
    for (const a of priv) assert.equal(isPrivateAddress(a), true, a);
    for (const a of pub) assert.equal(isPrivateAddress(a), false, a);
    assert.equal(isPrivateAddress('not-an-ip'), false);
    assert.equal(fromLiveInput, isPrivateAddress);
  });

  it('parses strictly and prints canonical forms', () => {
    assert.equal(canonicalIp('2001:0DB8:0000:0000:0000:0000:0000:0025'), '2001:db8::25');
    assert.equal(canonicalIp('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(canonicalIp('::ffff:192.0.2.1'), '::ffff:c000:201');
    assert.equal(canonicalIp('::'), '::');
    assert.equal(canonicalIp('1::'), '1::');
    for (const bad of [
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      'fe80::1%eth0',
      '',
      'g::1',
    ]) {
      assert.equal(parseIp(bad), undefined, bad);
    }
    assert.ok(sameIp('2001:db8::1', '2001:DB8:0::1'));
  });

  it('CIDR matching and reverse names', () => {
    assert.ok(inCidr('198.51.100.13', '198.51.100.0/28'));
    assert.ok(!inCidr('198.51.100.16', '198.51.100.0/28'));
    assert.ok(inCidr('2001:db8:10::5', '2001:db8:10::/48'));
    assert.ok(!inCidr('192.0.2.1', '::/0'));
    assert.ok(inCidr('192.0.2.1', '0.0.0.0/0'));
    assert.equal(reverseName('198.51.100.7'), '7.100.51.198.in-addr.arpa');
    assert.equal(
      reverseName('2001:db8::12'),
      '2.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    );
    assert.equal(reversedLabels('::ffff:127.0.0.2'), '2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0');
    assert.equal(normalizeName('Mail.Example.COM.'), 'mail.example.com');
  });
});
