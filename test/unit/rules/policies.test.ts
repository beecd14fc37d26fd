// MT407-MT411: scan policies and licences.
import * as assert from 'node:assert/strict';
import { BASE, check, declRange, edit, expectClean, expectDiag, expectNone, rangeOf } from './helpers';

/** The companyabc edge trio with a licensed policy. */
const TRIO = `options {
  dnsbl zen.spamhaus.org
}
domain companyabc.com {
  mx 10 edge-nlb
}
policy av-standard {
  antivirus clamav
  licenses 3
}
pool edge-nlb {
  mode balanced
  vip 198.51.100.10
  hostname mail.companyabc.com
  members edge1, edge2, edge3
}
gateway edge1 {
  role edge
  hostname edge1.companyabc.com
  address 198.51.100.11
  accept companyabc.com
  relay allow from=10.0.0.0/8
  scan av-standard
  route companyabc.com via=ex1, ex2
  route * via=direct
}
gateway edge2 {
  role edge
  hostname edge2.companyabc.com
  address 198.51.100.12
  accept companyabc.com
  relay allow from=10.0.0.0/8
  scan av-standard
  route companyabc.com via=ex1, ex2
  route * via=direct
}
gateway edge3 {
  role edge
  hostname edge3.companyabc.com
  address 198.51.100.13
  accept companyabc.com
  relay allow from=10.0.0.0/8
  scan av-standard
  route companyabc.com via=ex1, ex2
  route * via=direct
}
server ex1 {
  role mailbox
  address 10.0.1.11
  mailboxes companyabc.com
  route * via=edge-nlb
}
server ex2 {
  role mailbox
  address 10.0.1.12
  mailboxes companyabc.com
  route * via=edge-nlb
}
`;

describe('rules: policies and licences (MT407-MT411)', () => {
  describe('MT407 dangerous attachment allowed', () => {
    it('allow exe: on the extension', () => {
      const t = edit(BASE, 'on-virus quarantine', 'on-virus quarantine\n  attachments allow pdf, exe');
      const d = expectDiag(t, 'MT407', 'warning', 'exe');
      assert.match(d.message, /\.exe/);
    });
    it('twin: exe blocked', () => {
      expectClean(
        edit(BASE, 'on-virus quarantine', 'on-virus quarantine\n  attachments allow pdf\n  attachments block exe'),
      );
    });
  });

  describe('MT408 allowed and blocked', () => {
    it('pdf both ways: on the allowed one, the blocked one related', () => {
      const t = edit(
        BASE,
        'on-virus quarantine',
        'on-virus quarantine\n  attachments allow pdf, docx\n  attachments block zip, pdf',
      );
      const d = expectDiag(t, 'MT408', 'error', 'pdf');
      assert.deepEqual(d.related?.[0].range, rangeOf(t, 'pdf', 1));
    });
    it('twin: disjoint lists', () => {
      expectNone(
        edit(
          BASE,
          'on-virus quarantine',
          'on-virus quarantine\n  attachments allow pdf, docx\n  attachments block zip',
        ),
        'MT408',
      );
    });
  });

  describe('MT409 on-virus deliver', () => {
    it('deliver', () => {
      const t = edit(BASE, 'on-virus quarantine', 'on-virus deliver');
      expectDiag(t, 'MT409', 'warning', 'on-virus deliver');
    });
    it('twin: quarantine', () => {
      expectNone(BASE, 'MT409');
    });
  });

  describe('MT410 licence shortfall', () => {
    it('3 nodes, 2 licences: the message of RULES.md', () => {
      const t = edit(TRIO, 'licenses 3', 'licenses 2');
      const d = expectDiag(t, 'MT410', 'warning', 'licenses 2');
      assert.equal(
        d.message,
        'licence shortfall: 3 nodes scan with av-standard (edge1, edge2, edge3) but it has 2 licences',
      );
    });
    it('twin: 3 licences', () => {
      expectNone(TRIO, 'MT410');
      expectClean(TRIO);
    });
    it('a pool with scan counts every member', () => {
      let t = edit(TRIO, 'licenses 3', 'licenses 2');
      t = t.replace(/ {2}scan av-standard\n/g, '');
      t = edit(t, 'members edge1, edge2, edge3', 'members edge1, edge2, edge3\n  scan av-standard');
      const d = expectDiag(t, 'MT410', 'warning', 'licenses 2');
      assert.match(d.message, /^licence shortfall: 3 nodes scan with av-standard \(edge1, edge2, edge3\)/);
    });
    it('a policy with a scanner needs one licence', () => {
      let t = edit(TRIO, 'licenses 3', 'licenses 1\n  scanner av-host.companyabc.com');
      expectNone(t, 'MT410');
      t = edit(t, 'licenses 1', 'licenses 0');
      const d = expectDiag(t, 'MT410', 'warning', 'licenses 0');
      assert.match(d.message, /needs 1 licence/);
    });
    it('twin: no licenses declared, no check', () => {
      expectNone(edit(TRIO, '  licenses 3\n', ''), 'MT410');
    });
  });

  describe('MT411 scan policy without antivirus', () => {
    it('a policy used by scan with antispam only', () => {
      const t = edit(BASE, 'antivirus clamav', 'antispam rspamd');
      const d = expectDiag(t, 'MT411', 'information', declRange(t, 'av'));
      assert.match(d.message, /edge1, edge2/);
    });
    it('twin: with antivirus', () => {
      expectNone(BASE, 'MT411');
    });
    it('twin: a policy nobody uses is MT111, not MT411', () => {
      const t = `${BASE}\npolicy spare {\n  antispam rspamd\n}\n`;
      expectNone(t, 'MT411');
      assert.ok(check(t).some((d) => d.code === 'MT111'));
    });
  });
});
