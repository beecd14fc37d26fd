// Command ids, as contributed in package.json.
export const Commands = {
  generateConfiguration: 'mailtopo.generateConfiguration',
  showDiagram: 'mailtopo.showDiagram',
  rerunLiveChecks: 'mailtopo.rerunLiveChecks',
  toggleLiveChecks: 'mailtopo.toggleLiveChecks',
  showOutput: 'mailtopo.showOutput',
  restartServer: 'mailtopo.restartServer',
} as const;

export const GENERATE_TARGETS = [
  { id: 'postfix', label: 'Postfix', detail: 'postfix/<node>/main.cf, master.cf and maps for every gateway' },
  { id: 'haproxy', label: 'HAProxy', detail: 'haproxy/haproxy.cfg: one frontend/backend per pool' },
  { id: 'bind', label: 'BIND zones', detail: 'bind/db.<domain>: SOA, NS, MX, A/AAAA, SPF, DMARC' },
  { id: 'exchange', label: 'Exchange', detail: 'exchange/<node>.ps1: accepted domains, connectors, IP block lists' },
  { id: 'dot', label: 'Graphviz dot', detail: 'diagram/topology.dot' },
  { id: 'mermaid', label: 'Mermaid', detail: 'diagram/topology.mmd' },
  { id: 'svg', label: 'SVG diagram', detail: 'diagram/topology.svg' },
  { id: 'json', label: 'JSON model', detail: 'model.json: the resolved model' },
] as const;
