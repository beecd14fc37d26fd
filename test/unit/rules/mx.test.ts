// MT307-MT314: domains and MX targets (placement: on the mx line, the target's declaration related).
import * as assert from 'node:assert/strict';
import { BASE, declRange, check, edit, expectClean, expectDiag, expectNone, rangeOf } from './helpers';

describe('rules: domains and MX targets (MT307-MT314)', () => {
  describe('MT307 no mx', () => {
    it('a domain without mx', () => {
      const t = `${BASE}\ndomain other.example {\n  spf "v=spf1 -all"\n}\n`;
      expectDiag(t, 'MT307', 'warning', declRange(t, 'other.example'));
    });
    it('twin: mx none', () => {
      const t = `${BASE}\ndomain other.example {\n  mx none\n  spf "v=spf1 -all"\n}\n`;
      expectNone(t, 'MT307');
      expectClean(t);
    });
  });

  describe('MT308 MX target without hostname', () => {
    it('a pool MX target without hostname; MT103 is not reported', () => {
      const t = edit(BASE, '  hostname mail.example.com\n', '');
      const d = expectDiag(t, 'MT308', 'error', 'mx 10 edge-nlb');
      assert.deepEqual(d.related?.[0].range, rangeOf(t, 'edge-nlb', 1));
      assert.ok(!check(t).some((x) => x.code === 'MT103'));
    });
    it('an external MX target without hostname: MT308 replaces MT103', () => {
      const t = `domain example.com {\n  mx 10 cloud\n}\nexternal cloud {\n  address 198.51.100.9\n}\n`;
      expectDiag(t, 'MT308', 'error', 'mx 10 cloud');
      expectNone(t, 'MT103');
    });
    it('twin: with a hostname', () => {
      expectNone(BASE, 'MT308');
      const t = `domain example.com {\n  mx 10 cloud\n}\nexternal cloud {\n  hostname mx.cloud.example\n  address 198.51.100.9\n}\n`;
      expectNone(t, 'MT308');
    });
  });

  describe('MT309 MX target with only private addresses', () => {
    it('a pool vip that is private', () => {
      const t = edit(BASE, 'vip 198.51.100.10', 'vip 10.0.0.10');
      const d = expectDiag(t, 'MT309', 'error', 'mx 10 edge-nlb');
      assert.match(d.message, /10\.0\.0\.10/);
      assert.deepEqual(d.related?.[0].range, rangeOf(t, 'edge-nlb', 1));
    });
    it('a gateway whose every address is private', () => {
      const t =
        `domain example.com {\n  mx 10 gw\n}\ngateway gw {\n  role edge\n  hostname ` +
        `gw.example.com\n  address 10.1.1.1, fd00::1\n  accept example.com\n}\n`;
      expectDiag(t, 'MT309', 'error', 'mx 10 gw');
    });
    it('twin: one public address is enough', () => {
      const t =
        `domain example.com {\n  mx 10 gw\n}\ngateway gw {\n  role edge\n  hostname ` +
        `gw.example.com\n  address 10.1.1.1, 2001:db8::25\n  accept example.com\n}\n`;
      expectNone(t, 'MT309');
      expectNone(BASE, 'MT309');
    });
  });

  describe('MT310 the same MX target twice', () => {
    it('reported on the second mx line', () => {
      const t = edit(BASE, 'mx 10 edge-nlb', 'mx 10 edge-nlb\n  mx 20 edge-nlb');
      const d = expectDiag(t, 'MT310', 'warning', 'mx 20 edge-nlb');
      assert.deepEqual(d.related?.[0].range, rangeOf(t, 'edge-nlb', 2));
      assert.ok(d.related?.some((r) => r.range.start.line === rangeOf(t, 'mx 10 edge-nlb').start.line));
      assert.equal(check(t).filter((x) => x.code === 'MT310').length, 1);
    });
    it('a reference and its own hostname are the same target', () => {
      const t = edit(BASE, 'mx 10 edge-nlb', 'mx 10 edge-nlb\n  mx 20 mail.example.com');
      expectDiag(t, 'MT310', 'warning', 'mx 20 mail.example.com');
    });
    it('twin: two different targets', () => {
      expectNone(edit(BASE, 'mx 10 edge-nlb', 'mx 10 edge-nlb\n  mx 20 backup-mx.isp.example'), 'MT310');
    });
  });

  describe('MT311 mx none contradicted', () => {
    const nul = `${BASE}\ndomain parked.example {\n  mx none\n  spf "v=spf1 -all"\n}\n`;
    it('a null-MX domain in a mailboxes line', () => {
      const t = edit(nul, 'mailboxes example.com', 'mailboxes example.com, parked.example');
      const d = expectDiag(t, 'MT311', 'error', 'mailboxes example.com, parked.example');
      assert.deepEqual(d.related?.[0].range, rangeOf(t, 'mx none'));
    });
    it('a null-MX domain with MX targets (on the mx none line)', () => {
      const t = edit(nul, '  mx none\n', '  mx none\n  mx 10 edge-nlb\n');
      expectDiag(t, 'MT311', 'error', 'mx none');
    });
    it('twin: the null-MX domain is nowhere else', () => {
      expectNone(nul, 'MT311');
      expectClean(nul);
    });
  });

  describe('MT312 undeclared mailbox domain', () => {
    it('mailboxes for a domain that is not declared', () => {
      const t = edit(BASE, 'mailboxes example.com', 'mailboxes example.com, example.net');
      const d = expectDiag(t, 'MT312', 'warning', 'mailboxes example.com, example.net');
      assert.match(d.message, /example\.net/);
    });
    it('twin: declared', () => {
      let t = edit(BASE, 'mailboxes example.com', 'mailboxes example.com, example.net');
      t += '\ndomain example.net {\n  mx 10 edge-nlb\n}\n';
      expectNone(t, 'MT312');
    });
  });

  describe('MT313 MX target is an IP address', () => {
    it('mx 10 198.51.100.10', () => {
      const t = edit(BASE, 'mx 10 edge-nlb', 'mx 10 edge-nlb\n  mx 20 198.51.100.10');
      expectDiag(t, 'MT313', 'error', 'mx 20 198.51.100.10');
    });
    it('twin: a hostname', () => {
      expectNone(edit(BASE, 'mx 10 edge-nlb', 'mx 10 edge-nlb\n  mx 20 backup.example.net'), 'MT313');
    });
  });

  describe('MT314 null MX with a sending SPF or a weak DMARC', () => {
    const nul = (spf: string, dmarc: string) =>
      `${BASE}\ndomain parked.example {\n  mx none\n  spf "${spf}"\n  dmarc "${dmarc}"\n}\n`;
    it('spf other than v=spf1 -all', () => {
      const t = nul('v=spf1 mx -all', 'v=DMARC1; p=reject');
      expectDiag(t, 'MT314', 'warning', 'spf "v=spf1 mx -all"');
    });
    it('dmarc without p=reject', () => {
      const t = nul('v=spf1 -all', 'v=DMARC1; p=quarantine');
      expectDiag(t, 'MT314', 'warning', 'dmarc "v=DMARC1; p=quarantine"');
    });
    it('twin: v=spf1 -all and p=reject', () => {
      const t = nul('v=spf1 -all', 'v=DMARC1; p=reject; rua=mailto:d@example.com');
      expectNone(t, 'MT314');
      expectClean(t);
    });
  });
});
