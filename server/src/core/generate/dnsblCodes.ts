// What a DNSBL's answers mean, for the generators. A list answers a query for
// a listed address with an address in 127.0.0.0/8 (RFC 5782 §2.1), but many
// lists also answer with codes that are NOT listings: Spamhaus returns
// 127.255.255.252/254/255 for a typo'd zone, a query through a public resolver
// or a rate limit. A filter that takes any answer as a listing rejects all mail
// the day such an error code comes back, so every generated DNSBL check names
// the codes that are real listings.

export interface DnsblCodes {
  /** The listing answers, as an inclusive range of the last octet of 127.0.0.x. */
  readonly first: number;
  readonly last: number;
  /** postscreen weight: how much one listing counts toward the threshold (3 blocks alone). */
  readonly weight: number;
  /** Where the codes come from (for the generated comment). */
  readonly source: string;
}

/** The threshold the generated postscreen uses: a weight-3 list blocks alone. */
export const POSTSCREEN_THRESHOLD = 3;

const KNOWN: Readonly<Record<string, DnsblCodes>> = {
  // Spamhaus ZEN: SBL 127.0.0.2-3, XBL 127.0.0.4-7, PBL 127.0.0.10-11; 127.255.255.x are errors.
  'zen.spamhaus.org': { first: 2, last: 11, weight: 3, source: 'Spamhaus: SBL .2-.3, XBL .4-.7, PBL .10-.11' },
  'sbl.spamhaus.org': { first: 2, last: 3, weight: 3, source: 'Spamhaus SBL and CSS' },
  'xbl.spamhaus.org': { first: 4, last: 7, weight: 3, source: 'Spamhaus XBL' },
  'pbl.spamhaus.org': { first: 10, last: 11, weight: 3, source: 'Spamhaus PBL' },
  'sbl-xbl.spamhaus.org': { first: 2, last: 7, weight: 3, source: 'Spamhaus SBL and XBL' },
  'bl.spamcop.net': { first: 2, last: 2, weight: 2, source: 'SpamCop: 127.0.0.2' },
  'b.barracudacentral.org': { first: 2, last: 2, weight: 2, source: 'Barracuda BRBL: 127.0.0.2' },
  'psbl.surriel.com': { first: 2, last: 2, weight: 2, source: 'PSBL: 127.0.0.2' },
  'bl.mailspike.net': { first: 2, last: 2, weight: 2, source: 'Mailspike: 127.0.0.2 (listed)' },
  'dnsbl-1.uceprotect.net': { first: 2, last: 2, weight: 1, source: 'UCEPROTECT level 1: 127.0.0.2' },
  'dnsbl.sorbs.net': { first: 2, last: 15, weight: 1, source: 'SORBS aggregate: 127.0.0.2-15' },
  'ix.dnsbl.manitu.net': { first: 2, last: 2, weight: 2, source: 'NiX Spam: 127.0.0.2' },
};

/**
 * The codes to trust for a zone. An unknown list gets 127.0.0.2..127.0.0.255
 * (RFC 5782 listings), which keeps out 127.0.0.1 (the "not listed" test point)
 * and every 127.255.x.x error answer. Its weight is the threshold: the
 * administrator named it as a list that refuses clients, and a lower weight
 * would make a node whose only list is unknown refuse nobody.
 */
export function dnsblCodes(zone: string): DnsblCodes {
  const z = zone.toLowerCase().replace(/\.$/, '');
  return (
    KNOWN[z] ?? {
      first: 2,
      last: 255,
      weight: POSTSCREEN_THRESHOLD,
      source: 'not a list mailtopo knows: RFC 5782 listings 127.0.0.2-255',
    }
  );
}

export function isKnownDnsbl(zone: string): boolean {
  return Object.hasOwn(KNOWN, zone.toLowerCase().replace(/\.$/, ''));
}

/** The listing addresses, one per code (Exchange -IPAddressesMatch, tests). */
export function listingAddresses(c: DnsblCodes): string[] {
  const out: string[] = [];
  for (let i = c.first; i <= c.last; i++) out.push(`127.0.0.${i}`);
  return out;
}

/** Postfix's filter syntax: `=127.0.0.2` or `=127.0.0.[2..11]`. */
export function postfixFilter(c: DnsblCodes): string {
  return c.first === c.last ? `=127.0.0.${c.first}` : `=127.0.0.[${c.first}..${c.last}]`;
}
