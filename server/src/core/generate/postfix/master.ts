// master.cf: the SMTP listeners (postscreen or smtpd on the MTA ports, the
// declared submission ports, the filter's services) and the daemons every
// Postfix needs. chroot is `n` everywhere, so the folder runs as it is.
import { commentHeader } from '../common';
import { service, type Ctx, type Service } from './context';
import type { Plan } from './plan';

/** The service name of an MTA port: `smtp` for 25, else the number. */
function portName(port: number): string {
  return port === 25 ? 'smtp' : String(port);
}

/** postscreen on port 25, handing the clients that pass to the smtpd pass service (POSTSCREEN_README). */
function postscreenServices(plan: Plan): Service[] {
  const out = [
    service('smtp', 'inet', 'postscreen', {
      priv: 'n',
      maxproc: '1',
      opts: plan.proxyPorts.has(25) ? ['postscreen_upstream_proxy_protocol=haproxy'] : [],
      comment: ['# postscreen screens port 25; clients that pass go to smtpd.'],
    }),
  ];
  out.push(service('smtpd', 'pass', 'smtpd'));
  out.push(service('dnsblog', 'unix', 'dnsblog', { maxproc: '0' }));
  out.push(service('tlsproxy', 'unix', 'tlsproxy', { maxproc: '0' }));
  return out;
}

/** smtpd on the MTA ports postscreen does not guard. */
function smtpdServices(plan: Plan): Service[] {
  const ports = plan.postscreen ? plan.mtaPorts.filter((p) => p !== 25) : plan.mtaPorts;
  return ports.map((p) => {
    const opts: string[] = [];
    const comment: string[] = [];
    if (plan.proxyPorts.has(p)) {
      opts.push('smtpd_upstream_proxy_protocol=haproxy');
      comment.push('# The load balancer passes the client address in the PROXY protocol.');
    }
    if (plan.portDnsbl) opts.push('smtpd_client_restrictions=$dnsbl_client_restrictions');
    return service(portName(p), 'inet', 'smtpd', { priv: 'n', opts, comment });
  });
}

/** The daemons of a stock master.cf. */
function daemons(): Service[] {
  const s = (name: string, cmd: string, more: Parameters<typeof service>[3] = {}) => service(name, 'unix', cmd, more);
  return [
    s('pickup', 'pickup', { priv: 'n', wakeup: '60', maxproc: '1' }),
    s('cleanup', 'cleanup', { priv: 'n', maxproc: '0' }),
    s('qmgr', 'qmgr', { priv: 'n', wakeup: '300', maxproc: '1' }),
    s('tlsmgr', 'tlsmgr', { wakeup: '1000?', maxproc: '1' }),
    s('rewrite', 'trivial-rewrite'),
    s('bounce', 'bounce', { maxproc: '0' }),
    s('defer', 'bounce', { maxproc: '0' }),
    s('trace', 'bounce', { maxproc: '0' }),
    s('verify', 'verify', { maxproc: '1' }),
    s('flush', 'flush', { priv: 'n', wakeup: '1000?', maxproc: '0' }),
    s('proxymap', 'proxymap'),
    s('proxywrite', 'proxymap', { maxproc: '1' }),
    s('smtp', 'smtp'),
    s('relay', 'smtp'),
    s('showq', 'showq', { priv: 'n' }),
    s('error', 'error'),
    s('retry', 'error'),
    s('discard', 'discard'),
    s('local', 'local', { unpriv: 'n' }),
    s('virtual', 'virtual', { unpriv: 'n' }),
    s('lmtp', 'lmtp'),
    s('anvil', 'anvil', { maxproc: '1' }),
    s('scache', 'scache', { maxproc: '1' }),
    service('postlog', 'unix-dgram', 'postlogd', { priv: 'n', maxproc: '1' }),
  ];
}

const WIDTHS = [10, 6, 8, 8, 8, 8, 8];

function render(s: Service): string[] {
  const cols = [s.name, s.type, s.priv, s.unpriv, 'n', s.wakeup, s.maxproc];
  const line = cols.map((x, i) => `${x} `.padEnd(WIDTHS[i])).join('') + s.command;
  return [...s.comment, line, ...s.opts.map((o) => `  -o ${o}`)];
}

export function masterCf(ctx: Ctx, plan: Plan, listeners: Service[]): string {
  const services = [
    ...(plan.postscreen ? postscreenServices(plan) : []),
    ...smtpdServices(plan),
    ...listeners,
    ...daemons(),
  ];
  const out = [
    commentHeader('#', ctx.opts.source, `Postfix master.cf of ${ctx.node.kind} ${ctx.name}`).trimEnd(),
    '# ==========================================================================',
    '# service type  private unpriv  chroot  wakeup  maxproc command + args',
    '# ==========================================================================',
    ...services.flatMap(render),
  ];
  return out.join('\n') + '\n';
}
