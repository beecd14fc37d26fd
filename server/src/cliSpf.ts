// `mailtopo spf DOMAIN --ip IP [--sender ADDR] [--helo NAME] [--resolver HOST[:PORT]]...
// [--timeout MS] [--format text|json]` (INTERFACES.md): RFC 7208 check_host() for one
// connecting address, as a receiving server runs it. Prints the result, the term that
// decided it, the explanation (exp=, on fail) and the evaluated tree with the lookups
// and void lookups of each include/redirect. Exit 0 whatever the result; 2 on bad usage.
import { parseArgs, UsageError, type Io } from './cli';
import { parseServer } from './core/dns/resolver';
import { makeLiveResolver } from './core/dns/live';
import { renderTree, spfCheckHost, spfClientIp, type SpfCheckResult } from './core/dns/spf';

export const SPF_USAGE = `usage: mailtopo spf DOMAIN --ip IP [--sender ADDR] [--helo NAME] [--resolver HOST[:PORT]]...
                    [--timeout MS] [--format text|json]`;

interface SpfArgs {
  domain: string;
  ip: string;
  sender: string;
  helo?: string;
  resolvers: string[];
  timeoutMs: number;
  format: 'text' | 'json';
}

function single(flags: Map<string, string[]>, name: string): string | undefined {
  const v = flags.get(name);
  if (v && v.length > 1) throw new UsageError(`option '--${name}' given twice`);
  return v?.[0];
}

function spfArgs(argv: string[]): SpfArgs {
  const p = parseArgs(argv, { ip: true, sender: true, helo: true, resolver: true, timeout: true, format: true });
  if (p.files.length !== 1)
    throw new UsageError(`spf needs exactly one DOMAIN${p.files.length ? '' : ' (none given)'}`);
  const domain = p.files[0];
  const ip = single(p.flags, 'ip');
  if (ip === undefined) throw new UsageError('spf needs --ip IP (the connecting client)');
  if (!spfClientIp(ip)) throw new UsageError(`--ip must be an IPv4 or IPv6 address (got '${ip}')`);
  const format = single(p.flags, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json (got '${format}')`);
  const timeoutText = single(p.flags, 'timeout') ?? '3000';
  if (!/^\d+$/.test(timeoutText) || Number(timeoutText) < 1)
    throw new UsageError(`--timeout must be a whole number of milliseconds (got '${timeoutText}')`);
  const resolvers = p.flags.get('resolver') ?? [];
  for (const r of resolvers) {
    try {
      parseServer(r);
    } catch {
      throw new UsageError(`--resolver must be HOST[:PORT] with HOST an IP address, e.g. 127.0.0.1:5353 (got '${r}')`);
    }
  }
  const helo = single(p.flags, 'helo');
  // no --sender: MAIL FROM postmaster@DOMAIN; an empty --sender: the HELO identity (§2.3)
  const sender = single(p.flags, 'sender') ?? `postmaster@${domain}`;
  return { domain, ip, sender, helo, resolvers, timeoutMs: Number(timeoutText), format };
}

function textReport(a: SpfArgs, r: SpfCheckResult): string {
  const who = a.sender === '' ? `HELO ${a.helo ?? a.domain}` : `sender ${a.sender}`;
  const lines = [`SPF of ${r.domain} for ${r.ip} (${who}${a.helo && a.sender !== '' ? `, HELO ${a.helo}` : ''})`];
  lines.push(`result: ${r.result}`);
  if (r.mechanism)
    lines.push(
      `mechanism: ${r.mechanism}${r.mechanismDomain && r.mechanismDomain !== r.domain ? ` (in ${r.mechanismDomain})` : ''}`,
    );
  if (r.reason) lines.push(`reason: ${r.reason}`);
  if (r.explanation !== undefined) lines.push(`explanation: ${r.explanation}`);
  lines.push(`lookups: ${r.lookups}/10, void lookups: ${r.voidLookups}/2, DNS queries: ${r.queries}`);
  lines.push('tree:', ...renderTree(r.tree).map((l) => `  ${l}`));
  return lines.join('\n') + '\n';
}

export async function cmdSpf(argv: string[], io: Io): Promise<number> {
  let a: SpfArgs;
  try {
    a = spfArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`mailtopo: ${e.message}\n${SPF_USAGE}\n`);
    return 2;
  }
  const resolver = makeLiveResolver(a.resolvers, a.timeoutMs);
  try {
    const r = await spfCheckHost({ ip: a.ip, domain: a.domain, sender: a.sender, helo: a.helo }, resolver);
    if (a.format === 'json') {
      const out = {
        result: r.result,
        mechanism: r.mechanism ?? null,
        explanation: r.explanation ?? null,
        lookups: r.lookups,
        voidLookups: r.voidLookups,
        tree: r.tree,
      };
      io.stdout(JSON.stringify(out, null, 2) + '\n');
    } else io.stdout(textReport(a, r));
    return 0;
  } finally {
    resolver.close();
  }
}
