// The schema as data: every block kind and statement, their arguments, options,
// value types, enums, defaults and docs. Validation, completion, hover, the
// formatter and the TextMate keyword list all read this one table.

export type DeclKind = 'network' | 'domain' | 'gateway' | 'pool' | 'server' | 'policy' | 'external';
export type BlockKind = DeclKind | 'options';
export const DECL_KINDS: DeclKind[] = ['network', 'domain', 'gateway', 'pool', 'server', 'policy', 'external'];
/** Declaration kinds whose name is a reference target (a domain is named by its hostname). */
export const NAMED_KINDS: DeclKind[] = ['network', 'gateway', 'pool', 'server', 'policy', 'external'];
export const TOP_LEVEL_KEYWORDS = [
  'import',
  'options',
  'network',
  'domain',
  'gateway',
  'pool',
  'server',
  'policy',
  'external',
];
/** Words that can never be declared as names. */
export const RESERVED_WORDS = ['none', 'any', 'direct', 'internet', 'yes', 'no'];

/** The kinds of a single value. */
export type ValueType =
  | { t: 'name' } // a declared name (declaration position)
  | { t: 'hostname' } // H: has a dot
  | { t: 'domain' } // a domain name (has a dot)
  | { t: 'pattern' } // D: domain or *, *.suffix
  | { t: 'ip' }
  | { t: 'cidr' } // CIDR or bare IP
  | { t: 'port' }
  | { t: 'int'; min: number; max: number; what: string }
  | { t: 'number' } // non-negative decimal
  | { t: 'duration' }
  | { t: 'size' }
  | { t: 'string'; what: string; uri?: boolean }
  | { t: 'email' }
  | { t: 'word'; what: string } // an engine name, an extension
  | { t: 'enum'; values: string[] }
  | { t: 'ref'; kinds: DeclKind[]; hostname?: boolean; builtins?: string[]; ip?: boolean }
  | { t: 'netlist' }; // ref(network), CIDR, IP or any

export interface ArgSpec {
  /** Label used in messages ("preference", "target"). */
  label: string;
  type: ValueType;
  /** A comma list is allowed. */
  list?: boolean;
  optional?: boolean;
}

export interface OptionSpec {
  type: ValueType;
  list?: boolean;
  required?: boolean;
  default?: string;
  doc: string;
}

export interface StatementSpec {
  name: string;
  /** Alternative argument shapes; the first whose leading value fits is used. */
  args: ArgSpec[];
  /** A single-word alternative form, e.g. `mx none`, `dnsbl none`. */
  noneForm?: boolean;
  options?: Record<string, OptionSpec>;
  repeatable?: boolean;
  required?: boolean;
  default?: string;
  /** Only valid when the block's `role` is one of these (server `mailboxes`). */
  roles?: string[];
  doc: string;
}

export interface BlockSpec {
  kind: BlockKind;
  doc: string;
  statements: Record<string, StatementSpec>;
}

const H: ValueType = { t: 'hostname' };
const IP: ValueType = { t: 'ip' };
const PORT: ValueType = { t: 'port' };
const D: ValueType = { t: 'pattern' };
const YESNO: ValueType = { t: 'enum', values: ['yes', 'no'] };
const NETLIST: OptionSpec = {
  type: { t: 'netlist' },
  list: true,
  doc: 'Client networks: network names, CIDRs, addresses or `any`.',
};
const VIA: OptionSpec = {
  type: { t: 'ref', kinds: ['gateway', 'pool', 'server', 'external'], builtins: ['direct'] },
  list: true,
  required: true,
  doc: 'Next hops, all of them used (redundancy): gateways, pools, servers, externals, or `direct` (MX lookup on the internet).',
};

function st(name: string, doc: string, args: ArgSpec[], extra: Partial<StatementSpec> = {}): StatementSpec {
  return { name, doc, args, ...extra };
}

const ZONE = st('zone', 'Where the node sits: `perimeter`, `internal` or `external`.', [
  { label: 'zone', type: { t: 'enum', values: ['perimeter', 'internal', 'external'] } },
]);
const HOSTNAME = st('hostname', 'Its DNS name (required when it is an MX target); MX records publish this name.', [
  { label: 'hostname', type: H },
]);
const ADDRESS = st('address', 'Its IPv4/IPv6 addresses.', [{ label: 'address', type: IP, list: true }]);
const LISTEN = st('listen', 'SMTP ports it listens on.', [{ label: 'port', type: PORT, list: true }], {
  default: '25',
});
const TLS = st(
  'tls',
  'STARTTLS on inbound SMTP: `required`, `optional` or `off`.',
  [{ label: 'mode', type: { t: 'enum', values: ['required', 'optional', 'off'] } }],
  { default: 'optional' },
);
const ACCEPT = st(
  'accept',
  'Recipient domains it takes inbound mail for; `from=` limits which clients may send it.',
  [{ label: 'domain', type: D, list: true }],
  { repeatable: true, options: { from: { ...NETLIST, default: 'any' } } },
);
const RELAY = st(
  'relay',
  'Who may send through it to any other destination. Rules are tried in order, ' +
    'first match wins; an implicit `relay deny from=any` ends the list.',
  [{ label: 'action', type: { t: 'enum', values: ['allow', 'deny'] } }],
  {
    repeatable: true,
    options: {
      from: { ...NETLIST, required: true },
      auth: {
        type: { t: 'enum', values: ['required', 'none'] },
        default: 'none',
        doc: '`required`: only authenticated (SASL) clients match this rule.',
      },
    },
  },
);
const ROUTE = st(
  'route',
  'Next hops for mail to matching recipients: an exact domain beats `*.suffix`, which beats `*`.',
  [{ label: 'domain', type: D, list: true }],
  {
    repeatable: true,
    options: {
      via: VIA,
      auth: {
        type: YESNO,
        default: 'no',
        doc: '`yes`: this node logs in (SMTP AUTH) to those hops.',
      },
    },
  },
);
const CAPACITY = st('capacity', 'Messages per minute it can process (for the N-1 failover sum).', [
  { label: 'messages per minute', type: { t: 'int', min: 0, max: 1e12, what: 'messages per minute' } },
]);
const SCAN = st('scan', 'The scan policy applied to mail passing through.', [
  { label: 'policy', type: { t: 'ref', kinds: ['policy'] } },
]);
const SOFTWARE = st(
  'software',
  'What runs on it: `postfix`, `exchange` or `other`; decides which configuration `generate` writes for it (`other`: none).',
  [{ label: 'software', type: { t: 'enum', values: ['postfix', 'exchange', 'other'] } }],
);
const SUBMISSION = st(
  'submission',
  'Message-submission ports (RFC 6409, RFC 8314): clients must authenticate ' +
    'before relaying; 465 is implicit TLS, others STARTTLS. Relay rules with ' +
    '`auth=required` apply here; port 25 stays the MTA port.',
  [{ label: 'port', type: PORT, list: true }],
  { default: 'none' },
);
const RECIPIENTS = st(
  'recipients',
  'How recipients of accepted domains are checked at RCPT time: `verify` asks ' +
    'the next hop, `list` reads a recipient map the administrator fills, `none` ' +
    'takes every address (and bounces later: backscatter).',
  [{ label: 'check', type: { t: 'enum', values: ['verify', 'list', 'none'] } }],
  { default: 'verify' },
);
const DNSBL = st(
  'dnsbl',
  'DNS block lists checked for connecting clients, or `none`.',
  [{ label: 'zone', type: H, list: true }],
  { noneForm: true },
);

export const SCHEMA: Record<BlockKind, BlockSpec> = {
  options: {
    kind: 'options',
    doc: 'Defaults for the whole workspace of files (one `options` block per workspace).',
    statements: {
      dnsbl: st(
        'dnsbl',
        'Default DNSBL zones for every internet-facing node without a `dnsbl` statement (`dnsbl none` on a node opts it out).',
        [{ label: 'zone', type: H, list: true }],
      ),
      ttl: st('ttl', 'TTL of generated DNS records.', [{ label: 'duration', type: { t: 'duration' } }], {
        default: '1h',
      }),
      nameservers: st('nameservers', 'NS records of generated zones.', [{ label: 'nameserver', type: H, list: true }], {
        default: 'ns1.<domain>',
      }),
      contact: st(
        'contact',
        'SOA contact of generated zones (an e-mail address).',
        [{ label: 'address', type: { t: 'email' } }],
        { default: 'hostmaster@<domain>' },
      ),
    },
  },
  network: {
    kind: 'network',
    doc: 'A named set of address ranges, used in `from=` lists.',
    statements: {
      cidr: st(
        'cidr',
        'The ranges (a bare address means a /32 or /128).',
        [{ label: 'range', type: { t: 'cidr' }, list: true }],
        { required: true },
      ),
    },
  },
  domain: {
    kind: 'domain',
    doc: 'An accepted domain: its MX records and the mail-authentication records you intend to publish.',
    statements: {
      mx: st(
        'mx',
        'One MX record: a preference (0..65535), then a gateway, pool or external ' +
          '(its `hostname` is published) or a hostname. `mx none` is a null MX (RFC ' +
          '7505): the domain receives no mail.',
        [
          { label: 'preference', type: { t: 'int', min: 0, max: 65535, what: 'MX preference' } },
          { label: 'target', type: { t: 'ref', kinds: ['gateway', 'pool', 'external'], hostname: true, ip: true } },
        ],
        { repeatable: true, noneForm: true },
      ),
      spf: st('spf', 'The SPF record you intend to publish (a TXT record at the domain).', [
        { label: 'record', type: { t: 'string', what: 'SPF record' } },
      ]),
      dmarc: st('dmarc', 'The DMARC record you intend to publish at `_dmarc.<domain>`.', [
        { label: 'record', type: { t: 'string', what: 'DMARC record' } },
      ]),
      'mta-sts': st('mta-sts', 'The MTA-STS mode you publish (RFC 8461): `enforce`, `testing` or `none`.', [
        { label: 'mode', type: { t: 'enum', values: ['enforce', 'testing', 'none'] } },
      ]),
      'tls-rpt': st('tls-rpt', 'Where TLS reports go (RFC 8460): a `mailto:` or `https:` URI.', [
        { label: 'uri', type: { t: 'string', what: 'TLS-RPT URI', uri: true } },
      ]),
    },
  },
  gateway: {
    kind: 'gateway',
    doc: 'An SMTP gateway: edge transport, application-level proxy, or relay / smart host.',
    statements: {
      role: st(
        'role',
        '`edge` (edge transport), `proxy` (application-level proxy) or `relay` (plain relay / smart host).',
        [{ label: 'role', type: { t: 'enum', values: ['edge', 'proxy', 'relay'] } }],
        { required: true },
      ),
      zone: { ...ZONE, default: 'perimeter (edge, proxy); internal (relay)' },
      hostname: HOSTNAME,
      address: ADDRESS,
      'domain-joined': st(
        'domain-joined',
        'Member of the Active Directory forest.',
        [{ label: 'yes|no', type: YESNO }],
        { default: 'no' },
      ),
      listen: LISTEN,
      tls: TLS,
      dnsbl: { ...DNSBL, default: "options' dnsbl" },
      accept: ACCEPT,
      relay: RELAY,
      scan: SCAN,
      route: ROUTE,
      capacity: CAPACITY,
      software: { ...SOFTWARE, default: 'postfix' },
      submission: SUBMISSION,
      recipients: RECIPIENTS,
    },
  },
  pool: {
    kind: 'pool',
    doc: 'A load-balanced cluster (NLB or DNS round-robin) of gateways or servers. Routing to a pool routes to every member.',
    statements: {
      mode: st(
        'mode',
        '`balanced` (NLB, equal load), `failover` (NLB single host with priority) or `round-robin` (DNS).',
        [{ label: 'mode', type: { t: 'enum', values: ['balanced', 'failover', 'round-robin'] } }],
        { required: true },
      ),
      members: st(
        'members',
        'The nodes behind it, in priority order for `failover`.',
        [{ label: 'member', type: { t: 'ref', kinds: ['gateway', 'server'] }, list: true }],
        { required: true },
      ),
      vip: st('vip', 'The cluster address (required unless `mode round-robin`).', [{ label: 'address', type: IP }]),
      source: st(
        'source',
        'What client address the members see: `preserved` (Windows NLB, DSR, transparent ' +
          "proxy: the client's own), `proxy-protocol` (HAProxy `send-proxy-v2`: members " +
          'read it from the PROXY header) or `masked` (a proxy connecting from its ' +
          'own address: members see `snat`).',
        [{ label: 'source', type: { t: 'enum', values: ['preserved', 'proxy-protocol', 'masked'] } }],
        { default: 'preserved' },
      ),
      snat: st(
        'snat',
        'With `source masked`: the addresses the members see every client as.',
        [{ label: 'address', type: IP, list: true }],
        { default: 'the vip' },
      ),
      hostname: st('hostname', "The cluster's DNS name.", [{ label: 'hostname', type: H }]),
      ports: st(
        'ports',
        'Ports the cluster accepts (stand in for `listen`).',
        [{ label: 'port', type: PORT, list: true }],
        { default: '25' },
      ),
      health: st(
        'health',
        'How failed members are detected: `smtp` or `tcp`, with `interval=`.',
        [{ label: 'check', type: { t: 'enum', values: ['smtp', 'tcp'] } }],
        {
          default: 'smtp interval=10s',
          options: { interval: { type: { t: 'duration' }, default: '10s', doc: 'Time between health checks.' } },
        },
      ),
      'peak-load': st('peak-load', 'Expected peak in messages per minute, for the N-1 capacity check.', [
        { label: 'messages per minute', type: { t: 'int', min: 0, max: 1e12, what: 'messages per minute' } },
      ]),
      scan: st('scan', 'A scan policy every member applies.', [
        { label: 'policy', type: { t: 'ref', kinds: ['policy'] } },
      ]),
    },
  },
  server: {
    kind: 'server',
    doc: 'An internal mail server: a mailbox server (final delivery) or a hub transport.',
    statements: {
      role: st(
        'role',
        '`mailbox` (holds mailboxes) or `hub` (internal transport only).',
        [{ label: 'role', type: { t: 'enum', values: ['mailbox', 'hub'] } }],
        { required: true },
      ),
      zone: { ...ZONE, default: 'internal' },
      hostname: HOSTNAME,
      address: ADDRESS,
      listen: LISTEN,
      tls: TLS,
      accept: ACCEPT,
      relay: RELAY,
      route: ROUTE,
      capacity: CAPACITY,
      software: { ...SOFTWARE, default: 'exchange' },
      submission: SUBMISSION,
      recipients: RECIPIENTS,
      mailboxes: st(
        'mailboxes',
        'Domains delivered into its mailbox database (role mailbox).',
        [{ label: 'domain', type: D, list: true }],
        { roles: ['mailbox'] },
      ),
      scan: st('scan', 'Database-level scanning with a policy.', [
        { label: 'policy', type: { t: 'ref', kinds: ['policy'] } },
      ]),
      'domain-joined': st(
        'domain-joined',
        'Member of the Active Directory forest.',
        [{ label: 'yes|no', type: YESNO }],
        { default: 'yes' },
      ),
    },
  },
  policy: {
    kind: 'policy',
    doc: 'A virus/spam scan policy, applied with `scan`.',
    statements: {
      antivirus: st(
        'antivirus',
        'Virus scanning with an engine, `mode=realtime|scheduled`.',
        [{ label: 'engine', type: { t: 'word', what: 'engine name' } }],
        {
          options: {
            mode: {
              type: { t: 'enum', values: ['realtime', 'scheduled'] },
              default: 'realtime',
              doc: 'When scanning happens.',
            },
          },
        },
      ),
      antispam: st(
        'antispam',
        'Spam scoring with an engine, `threshold=` score.',
        [{ label: 'engine', type: { t: 'word', what: 'engine name' } }],
        { options: { threshold: { type: { t: 'number' }, doc: 'Score at or above which mail is spam.' } } },
      ),
      method: st(
        'method',
        'How mail reaches the engines: `milter` (before queue), `content-filter` ' +
          '(after queue: handed to the engine and taken back on a reinjection listener) ' +
          'or `proxy` (a before-queue proxy filter).',
        [{ label: 'method', type: { t: 'enum', values: ['milter', 'content-filter', 'proxy'] } }],
        { default: 'milter; content-filter when an engine is `amavis`' },
      ),
      attachments: st(
        'attachments',
        '`allow` or `block`, then attachment extensions.',
        [
          { label: 'action', type: { t: 'enum', values: ['allow', 'block'] } },
          { label: 'extension', type: { t: 'word', what: 'file extension' }, list: true },
        ],
        { repeatable: true },
      ),
      'max-size': st('max-size', 'Largest message accepted (e.g. `25MB`).', [{ label: 'size', type: { t: 'size' } }]),
      'on-virus': st(
        'on-virus',
        'What happens to infected mail: `reject`, `quarantine`, `strip` or `deliver`.',
        [{ label: 'action', type: { t: 'enum', values: ['reject', 'quarantine', 'strip', 'deliver'] } }],
        { default: 'reject' },
      ),
      licenses: st('licenses', 'Licences owned for the scanning product (one is needed on every node that scans).', [
        { label: 'count', type: { t: 'int', min: 0, max: 1e9, what: 'licence count' } },
      ]),
      scanner: st(
        'scanner',
        'The host that does the scanning when it is not the node applying the policy (mail goes there and comes back).',
        [{ label: 'host', type: { t: 'ref', kinds: ['gateway', 'server', 'external'], hostname: true } }],
      ),
    },
  },
  external: {
    kind: 'external',
    doc: 'A host outside your control: an ISP smart host, a cloud filter, a partner.',
    statements: {
      hostname: { ...HOSTNAME, required: true },
      address: st(
        'address',
        'The addresses it sends from: addresses or ranges (a cloud service: its published ranges).',
        [{ label: 'address', type: { t: 'cidr' }, list: true }],
      ),
      role: st(
        'role',
        '`smarthost`, `filter`, `partner` or `backup` (a backup MX at a provider that queues mail and forwards it by its `route`).',
        [{ label: 'role', type: { t: 'enum', values: ['smarthost', 'filter', 'partner', 'backup'] } }],
      ),
      route: { ...ROUTE, doc: 'How it hands mail back to you (a cloud filter used as MX).' },
      scan: st(
        'scan',
        'A service that scans mail it passes on (a cloud filter): its paths count as scanned; it needs no licence of yours.',
        [{ label: 'policy', type: { t: 'ref', kinds: ['policy'] } }],
      ),
      recipients: { ...RECIPIENTS, default: 'none' },
    },
  },
};

export const TOP_LEVEL_DOCS: Record<string, string> = {
  import: 'Brings in another file\'s declarations: `import "path"` relative to this file.',
  options: SCHEMA.options.doc,
  network: SCHEMA.network.doc,
  domain: SCHEMA.domain.doc,
  gateway: SCHEMA.gateway.doc,
  pool: SCHEMA.pool.doc,
  server: SCHEMA.server.doc,
  policy: SCHEMA.policy.doc,
  external: SCHEMA.external.doc,
};

/** Every keyword the language knows, for the TextMate grammar and completion. */
export function allStatementKeywords(): string[] {
  const s = new Set<string>(TOP_LEVEL_KEYWORDS);
  for (const b of Object.values(SCHEMA)) for (const k of Object.keys(b.statements)) s.add(k);
  return [...s].sort();
}

export function allEnumValues(): string[] {
  const s = new Set<string>(RESERVED_WORDS);
  const add = (t: ValueType) => {
    if (t.t === 'enum') t.values.forEach((v) => s.add(v));
  };
  for (const b of Object.values(SCHEMA))
    for (const st of Object.values(b.statements)) {
      st.args.forEach((a) => add(a.type));
      for (const o of Object.values(st.options ?? {})) add(o.type);
    }
  return [...s].sort();
}

/** Describe a value type in words a mail admin knows. */
export function describeType(t: ValueType): string {
  switch (t.t) {
    case 'name':
      return 'a name';
    case 'hostname':
      return 'a hostname';
    case 'domain':
      return 'a domain name';
    case 'pattern':
      return 'a domain or domain pattern (*, *.example.com)';
    case 'ip':
      return 'an IPv4 or IPv6 address';
    case 'cidr':
      return 'an address range (CIDR) or address';
    case 'port':
      return 'a port (1..65535)';
    case 'int':
      return `a whole number (${t.what})`;
    case 'number':
      return 'a number';
    case 'duration':
      return 'a duration (10s, 5m, 1h, 1d)';
    case 'size':
      return 'a size (512KB, 25MB, 1GB)';
    case 'string':
      return `a quoted string (${t.what})`;
    case 'email':
      return 'an e-mail address';
    case 'word':
      return `a word (${t.what})`;
    case 'enum':
      return t.values
        .map((v) => `'${v}'`)
        .join(', ')
        .replace(/, ([^,]*)$/, ' or $1');
    case 'ref': {
      const k = [...t.kinds];
      const ks = k.length > 1 ? `${k.slice(0, -1).join(', ')} or ${k[k.length - 1]}` : k[0];
      const builtins = t.builtins?.length ? ` or ${t.builtins.map((b) => `'${b}'`).join(', ')}` : '';
      return `the name of a ${ks}${t.hostname ? ' or a hostname' : ''}${builtins}`;
    }
    case 'netlist':
      return 'a network name, address range, address or any';
  }
}
