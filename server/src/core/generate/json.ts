// model.json: the resolved model as data. References are names, every object
// is built with a fixed key order (so the text is stable for diffs), and the
// mail flows the analysis computes (model/flow.ts) are included. The top-level
// "generatedBy" key is the marker the writer recognises.
import type { Range } from '../diagnostic';
import type { DomainDecl, Model, NetSource, NetworkDecl, NodeDecl, PolicyDecl } from '../model/types';
import { analysis, INTERNET, SINK, vertexName, type FlowGraph } from '../model/flow';
import {
  dnsblZones,
  headerText,
  isInternetFacing,
  relaySets,
  setToCidrs,
  type GenerateOptions,
  type GeneratedFile,
} from './common';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const loc = (file: string, r: Range): Json => ({ file, line: r.start.line + 1, character: r.start.character + 1 });
const from = (list: NetSource[]): Json => list.map((s) => s.text);
const opt = <T extends Json>(v: T | undefined): Json => (v === undefined ? null : v);

function network(n: NetworkDecl): Json {
  return { name: n.name, cidrs: n.cidrs, location: loc(n.file, n.nameRange) };
}

function domain(d: DomainDecl): Json {
  return {
    name: d.name,
    mx: d.mx.map((m) => {
      const t = m.target;
      const target: Json =
        t.kind === 'ref'
          ? { kind: 'node', name: t.decl.name, hostname: opt(t.decl.hostname?.value) }
          : t.kind === 'host'
            ? { kind: 'hostname', hostname: t.hostname }
            : t.kind === 'ip'
              ? { kind: 'address', address: t.ip }
              : { kind: 'unresolved', text: t.scalar.text };
      return { preference: m.preference, target };
    }),
    nullMx: !!d.mxNone,
    spf: opt(d.spf?.value),
    dmarc: opt(d.dmarc?.value),
    mtaSts: opt(d.mtaSts?.value),
    tlsRpt: opt(d.tlsRpt?.value),
    location: loc(d.file, d.nameRange),
  };
}

function node(n: NodeDecl, model: Model): Json {
  const base: { [k: string]: Json } = {
    name: n.name,
    kind: n.kind,
    role: opt(n.role),
    zone: n.zone,
    internetFacing: isInternetFacing(n, model),
    hostname: opt(n.hostname?.value),
  };
  if (n.kind === 'pool') {
    Object.assign(base, {
      mode: opt(n.mode),
      members: n.members.map((m) => m.name),
      vip: opt(n.vip?.value),
      ports: n.ports,
      health: { check: n.health.check, interval: n.health.interval, intervalSeconds: n.health.intervalSeconds },
      peakLoad: opt(n.peakLoad),
      scan: opt(n.scan?.policy.name),
    });
  } else {
    const rs = relaySets(n);
    Object.assign(base, {
      addresses: n.addresses,
      listen: n.listen,
      tls: n.tls,
      domainJoined: n.domainJoined,
      dnsbl: { declared: n.dnsbl ? (n.dnsbl.none ? 'none' : n.dnsbl.zones) : null, effective: dnsblZones(n, model) },
      accepts: n.accepts.map((a) => ({ domains: a.patterns, from: from(a.from) })),
      relays: n.relays.map((r) => ({ action: r.action, from: from(r.from), auth: r.auth })),
      relayClients: { unauthenticated: setToCidrs(rs.unauth), authenticated: rs.usesAuth ? setToCidrs(rs.auth) : [] },
      scan: opt(n.scan?.policy.name),
      routes: n.routes.map((r) => ({
        domains: r.patterns,
        via: r.via.map((h) => (h.direct ? 'direct' : (h.node?.name ?? h.text))),
      })),
      capacity: opt(n.capacity),
      mailboxes: n.mailboxes ? n.mailboxes.patterns : null,
      pools: n.pools.map((p) => p.name),
    });
  }
  base.location = loc(n.file, n.nameRange);
  return base;
}

function policy(p: PolicyDecl): Json {
  return {
    name: p.name,
    antivirus: p.antivirus ? { engine: p.antivirus.engine, mode: p.antivirus.mode } : null,
    antispam: p.antispam ? { engine: p.antispam.engine, threshold: opt(p.antispam.threshold) } : null,
    attachments: p.attachments.map((a) => ({ action: a.action, extensions: a.extensions.map((e) => e.text) })),
    maxSize: p.maxSize ? { text: p.maxSize.text, bytes: p.maxSize.bytes } : null,
    onVirus: p.onVirus,
    licenses: opt(p.licenses),
    scanner: p.scanner
      ? p.scanner.node
        ? { kind: 'node', name: p.scanner.node.name }
        : { kind: 'hostname', hostname: opt(p.scanner.hostname) }
      : null,
    location: loc(p.file, p.nameRange),
  };
}

function edges(g: FlowGraph): Json {
  const name = (v: number) => (v === INTERNET ? 'internet' : v === SINK ? 'delivered' : vertexName(g, v));
  const out: Json[] = [];
  g.succ.forEach((succ, v) => {
    for (const w of succ) out.push({ from: name(v), to: name(w) });
  });
  return out;
}

function flows(model: Model): Json {
  try {
    const a = analysis(model);
    return {
      inbound: a.inbound.map((f) => ({
        domain: f.domain.name,
        delivers: f.delivers,
        edges: edges(f.g),
        deliveredAt: f.delivering.map((v) => vertexName(f.g, v)),
        blackHoles: f.blackHoles.map((v) => vertexName(f.g, v)),
        directLoops: f.directLoops.map((x) => vertexName(f.g, x.v)),
        singlePointsOfFailure: (a.inboundSpof.get(f) ?? []).map((s) => s.node.name),
        unscannedPath: a.unscanned.get(f)?.path ?? null,
      })),
      outbound: {
        reachesInternet: [...a.outbound.reaches].map((n) => n.name),
        blackHoles: a.outbound.blackHoles.map((b) => ({ node: b.node.name, path: b.path })),
        singlePointsOfFailure: [...a.outbound.spof].map(([m, list]) => ({
          mailbox: m.name,
          nodes: list.map((s) => s.node.name),
        })),
      },
      loops: a.cycles.map((c) => ({
        nodes: c.nodes.map((n) => n.name),
        domains: c.domains.map((d) => d.name),
        outbound: c.outbound,
      })),
    };
  } catch {
    return null; // a model the analysis cannot read (generation with --force): declarations only
  }
}

export function modelJson(model: Model, opts: GenerateOptions): Json {
  return {
    generatedBy: 'mailtopo',
    comment: headerText(opts.source, 'the resolved model').join(' '),
    source: opts.source,
    options: {
      dnsbl: model.options.dnsbl,
      ttl: model.options.ttl,
      ttlSeconds: model.options.ttlSeconds,
      nameservers: opt(model.options.nameservers),
      contact: opt(model.options.contact),
    },
    networks: model.networks.map(network),
    domains: model.domains.map(domain),
    nodes: model.nodes.map((n) => node(n, model)),
    policies: model.policies.map(policy),
    flows: flows(model),
  };
}

export function generateJson(model: Model, opts: GenerateOptions): GeneratedFile[] {
  return [{ path: 'model.json', content: JSON.stringify(modelJson(model, opts), null, 2) + '\n' }];
}
