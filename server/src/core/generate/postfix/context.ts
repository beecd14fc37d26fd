// What every Postfix concern shares: the node being written, the lines of its
// main.cf, the services of its master.cf, the map files beside them and the
// notes for the user; and the small helpers that turn model values into
// Postfix syntax.
import type { Model, NetSource, NodeDecl } from '../../model/types';
import { formatIp, parseCidr } from '../../model/addr';
import { guard, nodeHost, smtpPort, type GenerateOptions, type GeneratedFile } from '../common';

/** Tables are named through ${config_directory}, so the folder works wherever it is installed. */
export const CONF = '${config_directory}';

/** One master.cf service line and its `-o` overrides. */
export interface Service {
  name: string;
  type: 'inet' | 'unix' | 'pass' | 'unix-dgram';
  priv: string;
  unpriv: string;
  wakeup: string;
  maxproc: string;
  command: string;
  opts: string[];
  /** Comment lines written above the service. */
  comment: string[];
}

export interface Ctx {
  node: NodeDecl;
  model: Model;
  opts: GenerateOptions;
  /** The node's name, checked for use as a folder name. */
  name: string;
  /** postfix/<node> */
  dir: string;
  main: string[];
  files: GeneratedFile[];
  notes: string[];
  /** smtpd_restriction_classes, written once after the relay and recipient restrictions. */
  classes: Array<{ name: string; def: string }>;
}

export function addMain(ctx: Ctx, ...lines: string[]): void {
  ctx.main.push(...lines);
}

/** A service with the defaults of a stock master.cf line (private, unprivileged, not chrooted). */
export function service(
  name: string,
  type: Service['type'],
  command: string,
  more: Partial<Omit<Service, 'name' | 'type' | 'command'>> = {},
): Service {
  return {
    name,
    type,
    command,
    priv: more.priv ?? '-',
    unpriv: more.unpriv ?? '-',
    wakeup: more.wakeup ?? '-',
    maxproc: more.maxproc ?? '-',
    opts: more.opts ?? [],
    comment: more.comment ?? [],
  };
}

/** A map file beside main.cf, starting with the marker header. */
export function addFile(ctx: Ctx, name: string, content: string): void {
  ctx.files.push({ path: `${ctx.dir}/${name}`, content });
}

/** A Postfix client list entry: IPv6 in brackets. */
export function pfCidr(c: string): string {
  guard(c, 'addr', 'a Postfix network list');
  return c.includes(':') ? `[${c.slice(0, c.indexOf('/'))}]${c.slice(c.indexOf('/'))}` : c;
}

/** An address as a host CIDR (a /32 or /128). */
export function hostCidr(a: string): string {
  return a.includes('/') ? a : `${a}/${a.includes(':') ? 128 : 32}`;
}

/** Domain pattern -> Postfix table key / list entry (`*.x` -> `.x`). */
export function pfDomain(p: string): string {
  guard(p, 'pattern', 'a Postfix domain list');
  return p.startsWith('*.') ? p.slice(1) : p;
}

/** The next-hop destination for a node: [host]:port, brackets so no MX lookup happens. */
export function hopDest(node: NodeDecl): string | undefined {
  const h = nodeHost(node);
  if (!h) return undefined;
  const host = guard(h.host, h.isIp ? 'addr' : 'host', `the next hop of ${node.name}`);
  const port = smtpPort(node);
  return `[${host}]${port === 25 ? '' : `:${port}`}`;
}

/** The ranges of a `from=` list in written order, canonical (host bits cleared); `any` is both families. */
export function orderedCidrs(from: NetSource[]): string[] {
  const out: string[] = [];
  const push = (text: string) => {
    const c = parseCidr(text);
    if (!c) return;
    const t = `${formatIp({ family: c.family, value: c.lo })}/${c.prefix}`;
    if (!out.includes(t)) out.push(t);
  };
  for (const s of from) {
    if (s.any) {
      push('0.0.0.0/0');
      push('::/0');
    } else if (s.network) s.network.cidrs.forEach(push);
    else push(s.text);
  }
  return out;
}
