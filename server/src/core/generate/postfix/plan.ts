// Which SMTP listeners a Postfix node gets, decided once for all concerns:
// the MTA ports (`listen` without the `submission` ports), the submission
// ports, whether postscreen guards the MTA ports, and which ports a load
// balancer reaches with the PROXY protocol.
import type { NodeDecl } from '../../model/types';
import { dnsblZones, isInternetFacing, relaySets, smtpPort, type RelaySets } from '../common';
import type { Ctx } from './context';

export interface Plan {
  facing: boolean;
  /** SMTP (MTA) ports: `listen` [25] without the submission ports. */
  mtaPorts: number[];
  /** Declared `submission` ports (465: implicit TLS). */
  submission: number[];
  /** postscreen in front of port 25: the node is internet-facing and listens there. */
  postscreen: boolean;
  /** The spam lists as smtpd restrictions on the MTA ports postscreen does not guard. */
  portDnsbl: boolean;
  /** Ports a `source proxy-protocol` pool's HAProxy connects to (they read the PROXY header). */
  proxyPorts: Set<number>;
  /** The addresses every client arrives from when the node sits behind a `source masked` pool. */
  masked: string[];
  /** Addresses HAProxy connects from (its `source`: the pool's vip): postscreen lets them through at once. */
  balancers: string[];
  rs: RelaySets;
}

/** The pools that balance to a node with a load balancer in front (a vip, not DNS round-robin). */
export function balancedPools(node: NodeDecl): NodeDecl[] {
  return node.pools.filter((p) => p.mode !== 'round-robin' && p.vip);
}

/**
 * The member ports a pool reaches: with one pool port, the member's own port
 * for it (that port when the member listens there, else its SMTP port); with
 * several, the port the client came in on.
 */
export function poolMemberPorts(pool: NodeDecl, member: NodeDecl): number[] {
  const ports = pool.ports.length ? pool.ports : [25];
  if (ports.length > 1) return ports;
  return [member.listen.includes(ports[0]) ? ports[0] : smtpPort(member)];
}

/** Does HAProxy speak the PROXY protocol to this pool's members? */
export function sendsProxy(pool: NodeDecl): boolean {
  return pool.source === 'proxy-protocol';
}

export function makePlan(ctx: Ctx): Plan {
  const { node, model } = ctx;
  const submission = node.submission;
  const listen = node.listen.length ? node.listen : [25];
  const mtaPorts = listen.filter((p) => !submission.includes(p));
  const facing = isInternetFacing(node, model);
  const proxyPorts = new Set<number>();
  const balancers: string[] = [];
  for (const pool of balancedPools(node).filter(sendsProxy)) {
    for (const p of poolMemberPorts(pool, node)) proxyPorts.add(p);
    if (pool.vip && !balancers.includes(pool.vip.value)) balancers.push(pool.vip.value);
  }
  const masked = balancedPools(node)
    .filter((p) => p.source === 'masked')
    .flatMap((p) => p.snat);
  // Behind a masking proxy every client has the proxy's address: nothing to screen or look up.
  const postscreen = facing && mtaPorts.includes(25) && !masked.length;
  return {
    facing,
    mtaPorts,
    submission,
    postscreen,
    masked,
    portDnsbl: postscreen && mtaPorts.length > 1 && dnsblZones(node, model).length > 0,
    proxyPorts,
    balancers,
    rs: relaySets(node),
  };
}
