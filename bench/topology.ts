// Generated topologies for the benchmarks: N gateways (each ~12 lines) plus
// domains, networks and a policy, and the same entities as a JSON document.

export interface Generated {
  text: string;
  json: string;
  lines: number;
  gateways: number;
}

export function generateTopology(targetLines: number): Generated {
  const gwCount = Math.max(1, Math.round(targetLines / 14));
  const out: string[] = [];
  const js: Record<string, unknown> = {};
  out.push('options {', '  dnsbl zen.spamhaus.org, bl.spamcop.net', '}', '');
  js.options = { dnsbl: ['zen.spamhaus.org', 'bl.spamcop.net'] };
  out.push('network corp {', '  cidr 10.0.0.0/8, 172.16.0.0/12', '}', '');
  js.networks = [{ name: 'corp', cidr: ['10.0.0.0/8', '172.16.0.0/12'] }];
  out.push('policy av {', '  antivirus clamav mode=realtime', '  on-virus quarantine', '}', '');
  js.policies = [{ name: 'av', antivirus: { engine: 'clamav', mode: 'realtime' }, onVirus: 'quarantine' }];
  out.push('domain example.com {', '  mx 10 gw0', '  spf "v=spf1 ip4:198.51.100.0/24 -all"', '}', '');
  js.domains = [
    { name: 'example.com', mx: [{ preference: 10, target: 'gw0' }], spf: 'v=spf1 ip4:198.51.100.0/24 -all' },
  ];
  out.push(
    'server mbx {',
    '  role mailbox',
    '  hostname mbx.example.com',
    '  address 10.0.0.5',
    '  mailboxes example.com',
    '  route * via=gw0',
    '}',
    '',
  );
  js.servers = [
    {
      name: 'mbx',
      role: 'mailbox',
      hostname: 'mbx.example.com',
      address: ['10.0.0.5'],
      mailboxes: ['example.com'],
      routes: [{ domains: ['*'], via: ['gw0'] }],
    },
  ];
  const gws: unknown[] = [];
  for (let i = 0; i < gwCount; i++) {
    const a = `198.${51 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    out.push(
      `# gateway number ${i}`,
      `gateway gw${i} {`,
      '  role edge',
      `  hostname gw${i}.example.com`,
      `  address ${a}`,
      '  tls required',
      '  listen 25, 587',
      '  accept example.com',
      '  relay allow from=corp',
      '  relay allow from=any auth=required',
      '  scan av',
      '  route example.com via=mbx',
      '  route * via=direct',
      '}',
    );
    gws.push({
      name: `gw${i}`,
      role: 'edge',
      hostname: `gw${i}.example.com`,
      address: [a],
      tls: 'required',
      listen: [25, 587],
      accept: [{ domains: ['example.com'] }],
      relay: [
        { action: 'allow', from: ['corp'] },
        { action: 'allow', from: ['any'], auth: 'required' },
      ],
      scan: 'av',
      routes: [
        { domains: ['example.com'], via: ['mbx'] },
        { domains: ['*'], via: ['direct'] },
      ],
    });
  }
  js.gateways = gws;
  const text = out.join('\n') + '\n';
  return { text, json: JSON.stringify(js, null, 2), lines: out.length, gateways: gwCount };
}
