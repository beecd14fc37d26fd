// Address sets: one `relay allow from=` list of 10,000 and 100,000 disjoint
// /32s, the whole check (parse, model, rules) beside JSON.parse of the same
// addresses as a JSON array (the reference: reading that much text at all).
// Issue 14: adding ranges one by one made this quadratic (16,000: 35 s).
import { checkText } from '../server/src/core/check';
import { timePair } from './parse';

/** `n` disjoint, non-adjacent IPv4 addresses (every other one from 10.0.0.0). */
export function disjointAddresses(n: number): string[] {
  const out: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const v = 0x0a000000 + 2 * i;
    out[i] = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  return out;
}

/** A topology with one relay rule whose `from=` lists `n` disjoint addresses. */
export function relayListTopology(n: number): string {
  return `gateway g {\n  role relay\n  address 10.255.255.1\n  relay allow from=${disjointAddresses(n).join(', ')}\n}\n`;
}

export function benchAddr(): Promise<string[]> {
  const lines = ['address sets: one from= list of N disjoint /32s, check vs JSON.parse of the addresses'];
  for (const n of [10_000, 100_000]) {
    const text = relayListTopology(n);
    const json = JSON.stringify(disjointAddresses(n));
    let count = 0;
    const [check, parse] = timePair(
      () => (count = checkText(text, 'addr.mailtopo').model.nodes.length),
      () => JSON.parse(json) as unknown,
      n > 50_000 ? 1000 : 1500,
      n > 50_000 ? 2 : 8,
      1,
    );
    if (count !== 1) throw new Error('the topology did not build');
    lines.push(
      `  ${String(n).padStart(7)} ranges: check ${check.toFixed(1)} ms, JSON.parse ${parse.toFixed(1)} ms (${(check / parse).toFixed(1)}x)`,
    );
  }
  return Promise.resolve(lines);
}
