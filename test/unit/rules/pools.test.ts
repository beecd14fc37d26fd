// MT401-MT406, MT412: pools.
import * as assert from 'node:assert/strict';
import { BASE, check, declRange, edit, expectClean, expectDiag, expectNone, rangeOf } from './helpers';

describe('rules: pools (MT401-MT406, MT412)', () => {
  describe('MT401 fewer than two members', () => {
    it('one member: on the pool declaration', () => {
      const t = edit(BASE, 'members edge1, edge2', 'members edge1');
      const d = expectDiag(t, 'MT401', 'warning', declRange(t, 'edge-nlb'));
      assert.match(d.message, /edge1/);
    });
    it('twin: two members', () => {
      expectNone(BASE, 'MT401');
    });
    it('an undeclared member is MT105, not MT401', () => {
      const t = edit(BASE, 'members edge1, edge2', 'members edge1, edge9');
      expectNone(t, 'MT401');
      assert.ok(check(t).some((d) => d.code === 'MT105'));
    });
  });

  describe('MT402 non-mail ports', () => {
    it('ports 25, 80', () => {
      const t = edit(BASE, 'members edge1, edge2', 'members edge1, edge2\n  ports 25, 80');
      const d = expectDiag(t, 'MT402', 'warning', 'ports 25, 80');
      assert.match(d.message, /80/);
    });
    it('twin: ports 25, 465, 587', () => {
      expectClean(edit(BASE, 'members edge1, edge2', 'members edge1, edge2\n  ports 25, 465, 587'));
    });
  });

  describe('MT403 vip equals a member address', () => {
    it("the vip is edge1's address", () => {
      const t = edit(BASE, 'vip 198.51.100.10', 'vip 198.51.100.11');
      const d = expectDiag(t, 'MT403', 'error', 'vip 198.51.100.11');
      assert.deepEqual(d.related?.[0].range, rangeOf(t, 'address 198.51.100.11'));
      expectNone(t, 'MT112');
    });
    it('twin: its own address', () => {
      expectNone(BASE, 'MT403');
    });
  });

  describe('MT404 mixed members', () => {
    it('members of different kinds and zones', () => {
      let t = edit(BASE, 'members edge1, edge2', 'members edge1, mb2');
      t = edit(t, 'route example.com via=mb1, mb2', 'route example.com via=mb1');
      const d = expectDiag(t, 'MT404', 'warning', 'members edge1, mb2');
      assert.match(d.message, /different zones and different kinds/);
    });
    it('members in different zones', () => {
      const t = edit(BASE, 'hostname edge2.example.com', 'zone internal\n  hostname edge2.example.com');
      expectDiag(t, 'MT404', 'warning', 'members edge1, edge2');
    });
    it('twin: alike', () => {
      expectNone(BASE, 'MT404');
    });
  });

  describe('MT405 round-robin', () => {
    it('mode round-robin: information on the pool declaration', () => {
      const t = edit(BASE, 'mode balanced', 'mode round-robin');
      expectDiag(t, 'MT405', 'information', declRange(t, 'edge-nlb'));
    });
    it('twin: balanced', () => {
      expectNone(BASE, 'MT405');
      expectClean(edit(BASE, 'mode balanced', 'mode failover'));
    });
  });

  describe('MT406 N-1 capacity', () => {
    const cap = (peak: number, c1: number, c2: number) => {
      let t = edit(BASE, 'members edge1, edge2', `members edge1, edge2\n  peak-load ${peak}`);
      t = edit(t, 'route * via=direct', `route * via=direct\n  capacity ${c1}`);
      t = edit(t, 'route * via=direct\n}', `route * via=direct\n  capacity ${c2}\n}`);
      return t;
    };
    it('below peak-load with the largest member down: both numbers in the message', () => {
      const t = cap(3000, 2500, 2000);
      const d = expectDiag(t, 'MT406', 'warning', 'peak-load 3000');
      assert.match(d.message, /2000/);
      assert.match(d.message, /3000/);
      assert.match(d.message, /edge1/);
    });
    it('twin: enough capacity', () => {
      const t = cap(2000, 2500, 2000);
      expectNone(t, 'MT406');
      expectClean(t);
    });
    it('twin: not every member declares capacity', () => {
      let t = edit(BASE, 'members edge1, edge2', 'members edge1, edge2\n  peak-load 3000');
      t = edit(t, 'route * via=direct', 'route * via=direct\n  capacity 100');
      expectNone(t, 'MT406');
    });
  });

  describe('MT412 health tcp', () => {
    it('health tcp', () => {
      const t = edit(BASE, 'members edge1, edge2', 'members edge1, edge2\n  health tcp interval=5s');
      expectDiag(t, 'MT412', 'warning', 'health tcp interval=5s');
    });
    it('twin: health smtp', () => {
      expectClean(edit(BASE, 'members edge1, edge2', 'members edge1, edge2\n  health smtp interval=5s'));
    });
  });
});
