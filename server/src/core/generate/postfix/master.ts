// master.cf: the SMTP listeners (postscreen or smtpd on the MTA ports, the
// declared submission ports, the filter's services) and the daemons every
// Postfix needs. chroot is `n` everywhere, so the folder runs as it is.
import { commentHeader } from '../common';
import { service, type Ctx, type Service } from './context';
import { postscreenOpts } from './dnsbl';
import type { Plan } from './plan';

/** The service name of an MTA port: `smtp` for 25, else the number. */
function portName(port: number): string {
  return port === 25 ? 'smtp' : String(port);
}

/** postscreen on every MTA port, all handing clients to one smtpd pass service (POSTSCREEN_README). */
function postscreenServices(plan: Plan): Service[] {
  const out = plan.mtaPorts.map((p, i) =>
    service(portName(p), 'inet', 'postscreen', {
      priv: 'n',
      maxproc: '1',
      opts: postscreenOpts(plan, p),
      comment: i === 0 ? ['# postscreen screens the MTA port(s); clients that pass go to smtpd.'] : [],
    }),
  );
  out.push(service('smtpd', 'pass', 'smtpd'));
  out.push(service('dnsblog', 'unix', 'dnsblog', { maxproc: '0' }));
  out.push(service('tlsproxy', 'unix', 'tlsproxy', { maxproc: '0' }));
  return out;
}

function smtpdServices(plan: Plan): Service[] {
  return plan.mtaPorts.map((p) => {
    const proxy = plan.proxyPorts.has(p);
    return service(portName(p), 'inet', 'smtpd', {
      priv: 'n',
      opts: proxy ? ['smtpd_upstream_proxy_protocol=haproxy'] : [],
      comment: proxy ? ['# The load balancer passes the client address in the PROXY protocol.'] : [],
    });
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
  const services = [...(plan.postscreen ? postscreenServices(plan) : smtpdServices(plan)), ...listeners, ...daemons()];
  const out = [
    commentHeader('#', ctx.opts.source, `Postfix master.cf of ${ctx.node.kind} ${ctx.name}`).trimEnd(),
    '# ==========================================================================',
    '# service type  private unpriv  chroot  wakeup  maxproc command + args',
    '# ==========================================================================',
    ...services.flatMap(render),
  ];
  return out.join('\n') + '\n';
}
