// HAProxy in front of every pool with a virtual address: haproxy/haproxy.cfg,
// one frontend and one backend per pool, TCP mode (SMTP passes through
// untouched). balanced -> balance roundrobin; failover -> balance first with
// every member after the first a backup (used in declaration order);
// health smtp -> option smtpchk; interval -> inter. A round-robin pool is DNS
// round-robin: no load balancer, so it only gets a comment. A `source
// proxy-protocol` pool: send-proxy-v2 on its servers, and check-send-proxy so
// the health checks reach members that expect the header.
import type { Model, NodeDecl } from '../model/types';
import { commentHeader, durationText, guard, smtpPort, type GenerateOptions, type GeneratedFile } from './common';
import { parseIp } from '../model/addr';
import { sendsProxy } from './postfix/plan';

function bindAddr(ip: string, port: number): string {
  const a = guard(ip, 'addr', 'an HAProxy bind line');
  return parseIp(a)?.family === 6 ? `[${a}]:${port}` : `${a}:${port}`;
}

export function generateHaproxy(model: Model, opts: GenerateOptions): GeneratedFile[] {
  const pools = model.nodes.filter((n) => n.kind === 'pool');
  const notes: string[] = [];
  const out: string[] = [];
  const add = (...s: string[]) => out.push(...s);
  add(commentHeader('#', opts.source, 'HAProxy configuration, one frontend and backend per pool').trimEnd());
  add('', 'global', '    log stdout format raw local0 info', '    maxconn 4096', '');
  const usesResolvers = pools.some(
    (p) => p.mode !== 'round-robin' && p.vip && p.members.some((m) => !m.addresses.length && m.hostname),
  );
  if (usesResolvers) {
    add(
      '# Members known only by name are resolved at run time (not at start-up).',
      'resolvers system',
      '    parse-resolv-conf',
      '    hold valid 10s',
      '',
    );
  }
  add(
    'defaults',
    '    mode tcp',
    '    log global',
    '    option tcplog',
    '    # SMTP sessions may idle while the peer works (DATA, DNS checks): generous client/server timeouts.',
    '    timeout connect 5s',
    '    timeout client 5m',
    '    timeout server 5m',
    '    # A connection to a member that just failed is retried on another.',
    '    option redispatch',
    '    retries 2',
    '',
  );
  let served = 0;
  for (const p of pools) {
    const name = guard(p.name, 'name', 'an HAProxy section name');
    if (p.mode === 'round-robin' || !p.vip) {
      const why = p.mode === 'round-robin' ? 'DNS round-robin, no load balancer' : 'nothing to bind to';
      add(`# pool ${name}: mode ${p.mode ?? '?'}${p.vip ? '' : ', no vip'}: ${why}.`, '');
      if (p.mode !== 'round-robin') notes.push(`haproxy: pool ${name} has no vip; skipped`);
      continue;
    }
    const members = p.members.filter((m) => m.addresses.length || m.hostname);
    for (const m of p.members)
      if (!members.includes(m))
        notes.push(`haproxy: member ${m.name} of pool ${name} has no address or hostname; left out`);
    served++;
    const ports = p.ports.length ? p.ports : [25];
    const published = p.hostname ? `, published as ${guard(p.hostname.value, 'host', 'a comment')}` : '';
    add(`# pool ${name}: mode ${p.mode}, health ${p.health.check} every ${p.health.interval}${published}.`);
    add(`frontend ${name}`);
    for (const port of ports) add(`    bind ${bindAddr(p.vip.value, port)}`);
    add(`    default_backend ${name}`, '');
    add(...backendLines(p, members, ports));
    add('');
  }
  // HAProxy refuses a configuration without a listener: no pool to balance, no file.
  if (!served) return [];
  return [
    {
      path: 'haproxy/haproxy.cfg',
      content: out.join('\n').replace(/\n+$/, '') + '\n',
      notes: notes.length ? notes : undefined,
    },
  ];
}

/** The backend of one pool: balance, health checks, PROXY protocol, one server per member. */
function backendLines(p: NodeDecl, members: NodeDecl[], ports: number[]): string[] {
  const name = guard(p.name, 'name', 'an HAProxy section name');
  const vip = p.vip!.value;
  const out: string[] = [];
  out.push(`backend ${name}`);
  out.push(`    balance ${p.mode === 'failover' ? 'first' : 'roundrobin'}`);
  if (p.health.check === 'smtp')
    out.push(`    option smtpchk HELO ${guard(p.hostname?.value ?? 'localhost', 'host', 'option smtpchk')}`);
  const inter = durationText(p.health.intervalSeconds);
  // A single pool port: each member is reached on the port it listens on. Several:
  // a member is reached on the port the client came in on, and checked on the first.
  const single = ports.length === 1;
  const proxy = sendsProxy(p);
  if (proxy) {
    // The members read the client's address from the PROXY header (v2). Health checks send it too
    // (check-send-proxy), and leave from the vip, which the members' postscreen lets through at once.
    out.push(
      '    # source proxy-protocol: members read the client address from the PROXY header;',
      "    # checks and connections leave from the vip, which the members' postscreen trusts.",
      `    source ${guard(vip, 'addr', 'an HAProxy source')}`,
    );
  }
  const serverOpts = proxy ? ' send-proxy-v2 check-send-proxy' : '';
  out.push(`    default-server check inter ${inter} fall 2 rise 2${single ? '' : ` port ${ports[0]}`}${serverOpts}`);
  members.forEach((m, i) => {
    const mn = guard(m.name, 'name', 'an HAProxy server name');
    const a = m.addresses[0];
    const port = single ? (m.listen.includes(ports[0]) ? ports[0] : smtpPort(m)) : undefined;
    const where = a
      ? port
        ? bindAddr(a, port)
        : parseIp(a)?.family === 6
          ? `[${guard(a, 'addr', 'an HAProxy server')}]`
          : guard(a, 'addr', 'an HAProxy server')
      : `${guard(m.hostname!.value, 'host', 'an HAProxy server')}${port ? `:${port}` : ''}`;
    const extra = [p.mode === 'failover' && i > 0 ? 'backup' : '', a ? '' : 'resolvers system init-addr none'].filter(
      Boolean,
    );
    out.push(`    server ${mn} ${where}${extra.length ? ' ' + extra.join(' ') : ''}`);
  });
  return out;
}
