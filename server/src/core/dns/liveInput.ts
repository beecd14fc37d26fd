// What the live checks need from a topology, as plain data. The model adapter
// fills it from the resolved model; the live checks never see the syntax tree.
// Every range is the LSP range (0-based) of the statement a diagnostic about
// that thing goes on (RULES.md, MT5xx: "the statement that declares what was
// looked up").
import type { Range } from '../diagnostic';

export { isPrivateAddress } from './ip';

export interface LiveMx {
  preference: number;
  /** The target's `hostname` (what DNS publishes); undefined when it has none (MT308). */
  targetHostname?: string;
  /** The target is an IP address (MT313): nothing to compare. */
  targetIsIp: boolean;
  /** Name of the gateway/pool/external, or the literal hostname, for messages. */
  targetName?: string;
  /** The `mx` line. */
  file: string;
  range: Range;
  /** The target's declaration, for related information. */
  targetDeclFile?: string;
  targetDeclRange?: Range;
  /** The target's declared addresses (address/vip), if any. */
  targetAddresses?: string[];
}

export interface LiveDomain {
  /** The domain name as declared. */
  name: string;
  file: string;
  /** The domain's name in `domain NAME {`. */
  nameRange: Range;
  /** `mx none` declared. */
  mxNone: boolean;
  mxNoneRange?: Range;
  mx: LiveMx[];
  /** The declared `spf` string (without quotes) and its line. */
  spf?: { text: string; range: Range };
  dmarc?: { text: string; range: Range };
  mtaSts?: { mode: string; range: Range };
  tlsRpt?: { uri: string; range: Range };
  /** Public addresses of the outbound nodes that send this domain's mail (MT510). */
  outboundAddresses: Array<{ address: string; nodeName: string; file?: string; range?: Range }>;
}

export interface LiveHost {
  hostname: string;
  file: string;
  /** The `hostname` line. */
  range: Range;
  /** Addresses from `address` (or the pool's `vip`). */
  declaredAddresses: string[];
  /** The `address`/`vip` line (MT505 goes there). */
  addressRange?: Range;
  nodeName: string;
}

export interface LiveAddress {
  address: string;
  file: string;
  /** The `address`/`vip` line. */
  range: Range;
  nodeName: string;
  /** The node's hostname, to name it in messages. */
  hostname?: string;
}

export interface LiveDnsblZone {
  zone: string;
  /** The `dnsbl` statement naming it (absent for zones from settings). */
  file?: string;
  range?: Range;
}

export interface LiveInput {
  /** Where diagnostics with no better place go (the main file, line 0). */
  file: string;
  domains: LiveDomain[];
  hosts: LiveHost[];
  /** Addresses of the topology; only public ones are looked up (PTR, DNSBL). */
  addresses: LiveAddress[];
  /** From `options` and every `dnsbl` statement (deduplicated by the checks). */
  dnsblZones: LiveDnsblZone[];
}
