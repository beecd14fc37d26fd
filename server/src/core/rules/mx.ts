// MT207, MT208 and MT307-MT314: domains, their MX targets and mailbox domains.
// Rules about an MX target start on the domain's `mx` line with the target's
// declaration as related information (RULES.md, Placement).
import type { MtDiagnostic, RelatedInfo } from '../diagnostic';
import { canonicalIp } from '../model/addr';
import { isPrivateAddress } from '../dns/ip';
import { evalSources, findStmt, mxTargets, patternMatches, publicIn } from '../model/flow';
import type { DomainDecl, Model, MxRecord, NodeDecl } from '../model/types';
import type { RuleContext, RuleFamily } from './rule';

const declRelated = (n: NodeDecl, what = 'the MX target'): RelatedInfo => ({
  file: n.file,
  range: n.nameRange,
  message: `${what} ${n.kind} '${n.name}' is declared here`,
});

/** Does a gateway/server accept mail for the domain from the internet? */
function acceptance(n: NodeDecl, domain: string): 'yes' | 'no' | 'private-only' {
  const matching = n.accepts.filter((a) => a.patterns.some((p) => patternMatches(p, domain)));
  if (!matching.length) return 'no';
  for (const a of matching) {
    const { set, complete } = evalSources(a.from);
    if (!complete || publicIn(set)) return 'yes';
  }
  return 'private-only';
}

function mxProblems(t: NodeDecl, domain: string): { text: string; related: RelatedInfo[] } | undefined {
  const problems: string[] = [];
  const related: RelatedInfo[] = [];
  if (t.kind === 'pool') {
    const bad = t.members.filter((m) => acceptance(m, domain) !== 'yes');
    if (bad.length) {
      problems.push(
        `pool ${t.name} does not accept ${domain}: ${bad.length === 1 ? 'member' : 'members'} ` +
          `${bad.map((m) => m.name).join(', ')} ${bad.length === 1 ? 'does' : 'do'} ` +
          `not accept it${bad.some((m) => acceptance(m, domain) === 'private-only') ? ' from the internet' : ''}`,
      );
      for (const m of bad)
        related.push({ file: m.file, range: m.nameRange, message: `member ${m.name} does not accept ${domain}` });
    }
    if (!t.ports.includes(25)) {
      problems.push(`pool ${t.name} does not accept port 25 (ports ${t.ports.join(', ')})`);
      if (t.portsStmt)
        related.push({ file: t.portsStmt.file, range: t.portsStmt.range, message: `ports of ${t.name}` });
    }
  } else {
    const acc = acceptance(t, domain);
    if (acc === 'no') problems.push(`${t.name} does not accept ${domain}`);
    if (acc === 'private-only') {
      problems.push(`${t.name} accepts ${domain} only from private addresses, so the internet cannot deliver it`);
    }
    if (!t.listen.includes(25)) {
      problems.push(`${t.name} does not listen on port 25 (listen ${t.listen.join(', ')})`);
      const ls = findStmt(t, 'listen');
      if (ls) related.push({ file: t.file, range: ls.range, message: `listen of ${t.name}` });
    }
  }
  return problems.length ? { text: problems.join('; '), related } : undefined;
}

/** The published name of an MX target (for spotting the same target twice). */
function mxKey(m: MxRecord): string | undefined {
  const t = m.target;
  if (t.kind === 'ref') return t.decl.hostname ? `h:${t.decl.hostname.value}` : `d:${t.decl.name}`;
  if (t.kind === 'host') return `h:${t.hostname}`;
  if (t.kind === 'ip') return `i:${canonicalIp(t.ip) ?? t.ip}`;
  return undefined;
}

function mxTargetText(m: MxRecord): string {
  return m.target.scalar.text;
}

function normSpf(s: string): string {
  return s.trim().toLowerCase().split(/\s+/).join(' ');
}

export const mxFamily: RuleFamily = {
  id: 'mx',
  run(ctx: RuleContext): MtDiagnostic[] {
    const { model } = ctx;
    const out: MtDiagnostic[] = [];
    for (const d of model.domains) {
      domainRecords(d, out);
      mxLines(d, out);
    }
    internalZone(model, out);
    mailboxDomains(model, out);
    return out;
  },
};

/** MT307 (no mx), MT311 (targets beside `mx none`), MT314 (a null-MX domain's SPF and DMARC). */
function domainRecords(d: DomainDecl, out: MtDiagnostic[]): void {
  // MT307
  if (!d.mx.length && !d.mxNone) {
    out.push({
      code: 'MT307',
      severity: 'warning',
      file: d.file,
      range: d.nameRange,
      message: `domain ${d.name} has no 'mx' (and no 'mx none'): it cannot receive mail; add its MX records, or 'mx none' if it sends only`,
    });
  }
  // MT311 (MX targets alongside mx none)
  if (d.mxNone && d.mx.length) {
    out.push({
      code: 'MT311',
      severity: 'error',
      file: d.mxNone.file,
      range: d.mxNone.range,
      message:
        `domain ${d.name} has 'mx none' (receives no mail) but also ${d.mx.length} ` +
        `MX target${d.mx.length === 1 ? '' : 's'} (${d.mx.map(mxTargetText).join(', ')})`,
      related: d.mx.map((m) => ({ file: m.file, range: m.range, message: `MX target ${mxTargetText(m)}` })),
    });
  }
  // MT314
  if (d.mxNone) {
    if (d.spf && normSpf(d.spf.value) !== 'v=spf1 -all') {
      out.push({
        code: 'MT314',
        severity: 'warning',
        file: d.spf.file,
        range: d.spf.range,
        message:
          `domain ${d.name} has a null MX but its SPF is "${d.spf.value}": a domain ` +
          'that sends no mail should publish "v=spf1 -all" (RFC 7505 §4.2)',
        related: [{ file: d.mxNone.file, range: d.mxNone.range, message: 'null MX' }],
      });
    }
    if (d.dmarc && !/(^|;)\s*p\s*=\s*reject\s*(;|$)/i.test(d.dmarc.value)) {
      out.push({
        code: 'MT314',
        severity: 'warning',
        file: d.dmarc.file,
        range: d.dmarc.range,
        message:
          `domain ${d.name} has a null MX but its DMARC policy is not p=reject: mail ` +
          'claiming to be from it should be rejected (RFC 7505 §4.2)',
        related: [{ file: d.mxNone.file, range: d.mxNone.range, message: 'null MX' }],
      });
    }
  }
}

/** Each `mx` line: MT310 (the same target twice), MT313 (an address), then the target's own checks once. */
function mxLines(d: DomainDecl, out: MtDiagnostic[]): void {
  const seen = new Map<string, MxRecord>();
  const reportedTargets = new Set<string>();
  for (const m of d.mx) {
    const key = mxKey(m);
    // MT310: the second time
    if (key) {
      const prev = seen.get(key);
      if (prev) {
        const rel: RelatedInfo[] = [
          { file: prev.file, range: prev.range, message: `first MX record for ${mxTargetText(prev)}` },
        ];
        if (m.target.kind === 'ref') rel.unshift(declRelated(m.target.decl));
        out.push({
          code: 'MT310',
          severity: 'warning',
          file: m.file,
          range: m.range,
          related: rel,
          message:
            `domain ${d.name} names the same MX target twice: ${mxTargetText(m)}` +
            `${mxTargetText(m) !== mxTargetText(prev) ? ` (the same host as ${mxTargetText(prev)})` : ''} ` +
            `(preferences ${prev.preference} and ${m.preference})`,
        });
        continue;
      }
      seen.set(key, m);
    }
    const t = m.target;
    // MT313
    if (t.kind === 'ip') {
      out.push({
        code: 'MT313',
        severity: 'error',
        file: m.file,
        range: m.range,
        message:
          `MX target ${t.ip} of ${d.name} is an IP address: an MX record names a host ` +
          '(RFC 1035 §3.3.9); declare the gateway and use its name',
      });
      continue;
    }
    if (t.kind !== 'ref') continue;
    const n = t.decl;
    if (reportedTargets.has(n.name)) continue;
    reportedTargets.add(n.name);
    mxTarget(d, m, n, out);
  }
}

/** MT308 (no hostname), MT309 (only private addresses), MT207 (cannot take the domain's mail). */
function mxTarget(d: DomainDecl, m: MxRecord, n: NodeDecl, out: MtDiagnostic[]): void {
  // MT308
  if (!n.hostname) {
    out.push({
      code: 'MT308',
      severity: 'error',
      file: m.file,
      range: m.range,
      related: [declRelated(n)],
      message: `MX target ${n.name} of ${d.name} has no 'hostname': there is no name to publish in the MX record`,
      data: { target: n.name },
    });
  }
  // MT309
  const addrs =
    n.kind === 'pool'
      ? n.vip
        ? [n.vip.value]
        : n.mode === 'round-robin'
          ? n.members.flatMap((x) => x.addresses)
          : []
      : n.addresses;
  const parsed = addrs.filter((a) => canonicalIp(a));
  if (parsed.length && parsed.every((ip) => isPrivateAddress(ip))) {
    const src =
      n.kind === 'pool' && n.vip
        ? 'its vip'
        : n.kind === 'pool'
          ? 'every member address'
          : parsed.length === 1
            ? 'its address'
            : 'every address';
    const rel = [declRelated(n)];
    if (n.addressStmt)
      rel.push({ file: n.addressStmt.file, range: n.addressStmt.range, message: `addresses of ${n.name}` });
    out.push({
      code: 'MT309',
      severity: 'error',
      file: m.file,
      range: m.range,
      related: rel,
      message: `MX target ${n.name} of ${d.name} is unreachable from the internet: ${src} (${parsed.join(', ')}) is private`,
    });
  }
  // MT207 (not for externals: someone else's configuration)
  if (n.kind !== 'external') {
    const p = mxProblems(n, d.name);
    if (p)
      out.push({
        code: 'MT207',
        severity: 'error',
        file: m.file,
        range: m.range,
        related: [declRelated(n), ...p.related],
        message: `MX target ${n.name} of ${d.name} cannot take its mail: ${p.text}`,
      });
  }
}

/** MT208: MX targets (and members of pools that are) in the internal zone. */
function internalZone(model: Model, out: MtDiagnostic[]): void {
  const uses = mxTargets(model);
  const internal = new Map<NodeDecl, RelatedInfo[]>();
  for (const [t, list] of uses) {
    const why = list.map((u) => ({
      file: u.mx.file,
      range: u.mx.range,
      message: `${t.name} is an MX target of ${u.domain.name}`,
    }));
    if (t.kind === 'gateway' || t.kind === 'server') {
      if (t.zone === 'internal') internal.set(t, [...(internal.get(t) ?? []), ...why]);
    } else if (t.kind === 'pool') {
      for (const m of t.members) {
        if (m.zone !== 'internal') continue;
        internal.set(m, [
          ...(internal.get(m) ?? []),
          {
            file: t.file,
            range: t.membersStmt?.range ?? t.nameRange,
            message: `${m.name} is a member of pool ${t.name}`,
          },
          ...why,
        ]);
      }
    }
  }
  for (const [n, rel] of internal) {
    const zs = n.zoneDeclared ? findStmt(n, 'zone') : undefined;
    const direct = uses.has(n);
    out.push({
      code: 'MT208',
      severity: 'warning',
      file: n.file,
      range: zs?.range ?? n.nameRange,
      related: rel,
      message:
        `${n.name} sits in the internal zone${zs ? '' : ' (its default)'} but ` +
        `${direct ? 'is an MX target' : 'is a member of a pool that is an MX target'}: ` +
        'inbound mail from the internet bypasses the perimeter',
    });
  }
}

/** MT311 (mailboxes of a null-MX domain), MT312 (undeclared mailbox domains). */
function mailboxDomains(model: Model, out: MtDiagnostic[]): void {
  const domainByName = new Map<string, DomainDecl>();
  for (const d of model.domains) if (!domainByName.has(d.name)) domainByName.set(d.name, d);
  for (const n of model.nodes) {
    const mb = n.mailboxes;
    if (!mb) continue;
    const undeclared: string[] = [];
    for (const p of mb.patterns) {
      if (p.startsWith('*')) continue;
      const name = p.replace(/\.$/, '');
      const d = domainByName.get(name);
      if (!d) {
        undeclared.push(name);
        continue;
      }
      if (d.mxNone) {
        out.push({
          code: 'MT311',
          severity: 'error',
          file: mb.file,
          range: mb.range,
          related: [{ file: d.mxNone.file, range: d.mxNone.range, message: `${d.name} has 'mx none'` }],
          message: `${n.name} holds mailboxes for ${d.name}, but ${d.name} has 'mx none' and can receive no mail`,
        });
      }
    }
    if (undeclared.length) {
      out.push({
        code: 'MT312',
        severity: 'warning',
        file: mb.file,
        range: mb.range,
        message:
          `${n.name} holds mailboxes for ${undeclared.join(', ')}, which ${undeclared.length === 1 ? 'is' : 'are'} ` +
          `not declared as ${undeclared.length === 1 ? 'a domain' : 'domains'}: no ` +
          'MX, no inbound flow to check',
        data: { domains: undeclared },
      });
    }
  }
}
