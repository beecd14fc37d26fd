// The adapter from the resolved model to what the live checks need (LiveInput):
// plain data with the ranges each MT5xx diagnostic goes on.
import type { Model, NodeDecl } from '../model/types';
import { anyPatternMatches, isMailboxServer, starRoute } from '../model/flow';
import { isPublicAddress } from './ip';
import type { LiveInput, LiveDomain, LiveHost, LiveAddress, LiveDnsblZone } from './liveInput';

/** Nodes that hand outbound mail of these mailbox servers to `direct` (LANGUAGE.md §4, "Outbound node"). */
export function outboundNodes(starts: NodeDecl[]): NodeDecl[] {
  const seen = new Set<NodeDecl>();
  const out = new Set<NodeDecl>();
  const stack = [...starts];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.kind === 'pool') {
      stack.push(...n.members);
      continue;
    }
    const r = starRoute(n);
    if (!r) continue;
    for (const h of r.via) {
      if (h.direct) out.add(n);
      else if (h.node) stack.push(h.node);
    }
  }
  return [...out];
}

export function liveInputFromModel(model: Model, mainFile: string): LiveInput {
  const domains: LiveDomain[] = model.domains.map((d) => {
    const mailboxServers = model.nodes.filter(
      (n) => isMailboxServer(n) && n.mailboxes && anyPatternMatches(n.mailboxes.patterns, d.name),
    );
    const outbound = outboundNodes(mailboxServers);
    return {
      name: d.name,
      file: d.file,
      nameRange: d.nameRange,
      mxNone: !!d.mxNone,
      mxNoneRange: d.mxNone?.range,
      mx: d.mx.map((m) => {
        const t = m.target;
        const node = t.kind === 'ref' ? t.decl : undefined;
        return {
          preference: m.preference,
          targetHostname: t.kind === 'host' ? t.hostname : node?.hostname?.value,
          targetIsIp: t.kind === 'ip',
          targetName: node ? node.name : t.kind === 'host' ? t.hostname : t.scalar.text,
          file: m.file,
          range: m.range,
          targetDeclFile: node?.file,
          targetDeclRange: node?.nameRange,
          targetAddresses: node
            ? node.kind === 'pool'
              ? node.vip
                ? [node.vip.value]
                : []
              : node.addresses
            : undefined,
        };
      }),
      spf: d.spf ? { text: d.spf.value, range: d.spf.range } : undefined,
      dmarc: d.dmarc ? { text: d.dmarc.value, range: d.dmarc.range } : undefined,
      mtaSts: d.mtaSts ? { mode: d.mtaSts.value, range: d.mtaSts.range } : undefined,
      tlsRpt: d.tlsRpt ? { uri: d.tlsRpt.value, range: d.tlsRpt.range } : undefined,
      outboundAddresses: outbound.flatMap((n) =>
        n.addresses
          .filter((a) => isPublicAddress(a)) // never a private or reserved one, however written
          .map((address) => ({ address, nodeName: n.name, file: n.file, range: n.addressStmt?.range })),
      ),
    };
  });
  const hosts: LiveHost[] = [];
  const addresses: LiveAddress[] = [];
  for (const n of model.nodes) {
    const declared = n.kind === 'pool' ? (n.vip ? [n.vip.value] : []) : n.addresses;
    if (n.hostname) {
      hosts.push({
        hostname: n.hostname.value,
        file: n.hostname.file,
        range: n.hostname.range,
        declaredAddresses: declared,
        addressRange: n.addressStmt?.range,
        nodeName: n.name,
      });
    }
    // Externals are not ours: their addresses are still looked up (PTR, DNSBL) only when declared.
    if (n.addressStmt)
      for (const a of declared)
        addresses.push({
          address: a,
          file: n.addressStmt.file,
          range: n.addressStmt.range,
          nodeName: n.name,
          hostname: n.hostname?.value,
        });
  }
  const dnsblZones: LiveDnsblZone[] = [];
  for (const z of model.options.dnsbl)
    dnsblZones.push({ zone: z, file: model.options.dnsblStmt?.file, range: model.options.dnsblStmt?.range });
  for (const n of model.nodes)
    if (n.dnsbl && !n.dnsbl.none)
      for (const z of n.dnsbl.zones) dnsblZones.push({ zone: z, file: n.dnsbl.file, range: n.dnsbl.range });
  return { file: mainFile, domains, hosts, addresses, dnsblZones };
}
