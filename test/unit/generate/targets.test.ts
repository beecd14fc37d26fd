// What each target emits for the statements that drive it, beyond the
// snapshots: relay rules in order, DNSBL choice, routes, pools, zones,
// quoting helpers.
import * as assert from 'node:assert/strict';
import { checkText } from '../../../server/src/core/check';
import { relaySets, setToCidrs, sizeText, durationText } from '../../../server/src/core/generate/common';
import { generatePostfix } from '../../../server/src/core/generate/postfix';
import { generateHaproxy } from '../../../server/src/core/generate/haproxy';
import { generateBind, txtStrings } from '../../../server/src/core/generate/bind';
import { generateExchange, psq } from '../../../server/src/core/generate/exchange';
import { dotString } from '../../../server/src/core/generate/dot';
import { mermaidText } from '../../../server/src/core/generate/mermaid';
import { buildGraph } from '../../../server/src/core/generate/graph';
import { decodeTxt } from './formats';
import type { Model, NodeDecl } from '../../../server/src/core/model/types';

const OPTS = { source: 't.mailtopo', now: new Date('2025-06-01T12:00:00Z') };

/** The model of a text that checks without errors (or with, as `--force` generates). */
function model(text: string, allowErrors = false): Model {
  const r = checkText(text, 't.mailtopo');
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (!allowErrors)
    assert.deepEqual(
      errors.map((d) => `${d.code} ${d.message}`),
      [],
    );
  return r.model;
}
const node = (m: Model, name: string) => m.nodes.find((n) => n.name === name) as NodeDecl;
const file = (files: Array<{ path: string; content: string }>, p: string) =>
  files.find((f) => f.path === p)?.content ?? assert.fail(`no ${p} in ${files.map((f) => f.path).join(', ')}`);
const param = (mainCf: string, name: string) => new RegExp(`^${name} = (.*)$`, 'm').exec(mainCf)?.[1];

const GW = (body: string, extra = '', mbxOut = '') => `${extra}
domain example.com {
  mx 10 gw
}
gateway gw {
  role edge
  hostname mx.example.com
  address 198.51.100.25
  accept example.com
${body}
  route example.com via=mbx
  route * via=direct
}
server mbx {
  role mailbox
  hostname mbx.example.com
  address 10.0.0.5
  mailboxes example.com
${mbxOut}
}
`; // outbound only where the test's gateway admits mbx (otherwise MT315: a refused hop)

describe('generate: targets', () => {
  describe('relay rules', () => {
    it('first match wins, deny before allow excludes, auth=required only matches authenticated clients', () => {
      const m = model(
        GW(
          '  relay deny from=10.9.0.0/16\n  relay allow from=10.0.0.0/8\n  relay allow from=any auth=required',
          'network x {\n  cidr 10.0.0.0/8\n}',
        ),
      );
      const rs = relaySets(node(m, 'gw'));
      assert.deepEqual(setToCidrs(rs.unauth), [
        '10.0.0.0/13',
        '10.8.0.0/16',
        '10.10.0.0/15',
        '10.12.0.0/14',
        '10.16.0.0/12',
        '10.32.0.0/11',
        '10.64.0.0/10',
        '10.128.0.0/9',
      ]);
      assert.ok(rs.usesAuth);
      assert.ok(
        !setToCidrs(rs.auth).includes('10.9.0.0/16'),
        'a deny before the auth rule holds for authenticated clients too',
      );
      const main = file(generatePostfix(m, OPTS), 'postfix/gw/main.cf');
      assert.equal(param(main, 'mynetworks'), '!10.9.0.0/16, 10.0.0.0/8');
      assert.equal(
        param(main, 'smtpd_relay_restrictions'),
        'permit_mynetworks, check_client_access cidr:${config_directory}/sasl_relay_clients.cidr, reject_unauth_destination',
      );
      const sasl = file(generatePostfix(m, OPTS), 'postfix/gw/sasl_relay_clients.cidr');
      assert.deepEqual(
        sasl.split('\n').filter((l) => l && !l.startsWith('#')),
        ['10.9.0.0/16\tDUNNO', '10.0.0.0/8\tsasl_relay', '0.0.0.0/0\tsasl_relay', '::/0\tsasl_relay'],
      );
      // No `submission` port declared: no submission service (issue 13), and a note says nobody can log in.
      const master = file(generatePostfix(m, OPTS), 'postfix/gw/master.cf');
      assert.doesNotMatch(master, /^submission/m);
    });

    it('no relay rules: empty mynetworks, and reject_unauth_destination', () => {
      const main = file(generatePostfix(model(GW('')), OPTS), 'postfix/gw/main.cf');
      assert.equal(param(main, 'mynetworks'), undefined);
      assert.match(main, /^mynetworks =$/m);
      assert.equal(param(main, 'smtpd_relay_restrictions'), 'permit_mynetworks, reject_unauth_destination');
    });

    it('relay allow from=any auth=required alone: permit_sasl_authenticated', () => {
      const main = file(generatePostfix(model(GW('  relay allow from=any auth=required')), OPTS), 'postfix/gw/main.cf');
      assert.equal(
        param(main, 'smtpd_relay_restrictions'),
        'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination',
      );
    });

    it('IPv6 ranges are bracketed in mynetworks, plain in cidr tables', () => {
      const main = file(
        generatePostfix(model(GW('  relay allow from=2001:db8:1::/48, 10.0.0.1')), OPTS),
        'postfix/gw/main.cf',
      );
      assert.equal(param(main, 'mynetworks'), '[2001:db8:1::]/48, 10.0.0.1/32');
    });
  });

  describe('postfix', () => {
    it("DNSBLs: the node's own list, else options' for an internet-facing node, none for 'dnsbl none'", () => {
      const opts = 'options {\n  dnsbl zen.spamhaus.org, bl.spamcop.net\n}';
      // The gateway is an MX target (internet-facing): its lists are scored by postscreen, filtered to listing codes.
      const own = file(generatePostfix(model(GW('  dnsbl b.example.org', opts)), OPTS), 'postfix/gw/main.cf');
      assert.equal(param(own, 'postscreen_dnsbl_sites'), 'b.example.org=127.0.0.[2..255]*3');
      const dflt = file(generatePostfix(model(GW('', opts)), OPTS), 'postfix/gw/main.cf');
      assert.equal(
        param(dflt, 'postscreen_dnsbl_sites'),
        'zen.spamhaus.org=127.0.0.[2..11]*3, bl.spamcop.net=127.0.0.2*2',
      );
      assert.equal(param(dflt, 'postscreen_dnsbl_threshold'), '3');
      const none = file(generatePostfix(model(GW('  dnsbl none', opts)), OPTS), 'postfix/gw/main.cf');
      assert.equal(param(none, 'postscreen_dnsbl_sites'), undefined);
      assert.doesNotMatch(none, /reject_rbl_client|127\.0\.0\./);
    });

    it('an internal relay that is not internet-facing gets no default DNSBL', () => {
      const m = model(
        `options {\n  dnsbl zen.spamhaus.org\n}\ngateway r {\n  role relay\n  address ` +
          `10.0.0.9\n  relay allow from=10.0.0.0/8\n  route * via=direct\n}\n`,
      );
      assert.doesNotMatch(file(generatePostfix(m, OPTS), 'postfix/r/main.cf'), /reject_rbl_client/);
    });

    it('routes: exact and *.suffix to transport_maps with bracketed next hops and ports, * to relayhost', () => {
      const m = model(`domain example.com {\n  mx 10 gw\n}
gateway gw {\n  role edge\n  hostname mx.example.com\n  address 198.51.100.25\n  accept example.com, *.example.com\n  relay allow from=10.0.0.1, 10.0.0.2\n  route example.com via=a, b\n  route *.example.com via=direct\n  route * via=isp\n}
server a {\n  role mailbox\n  address 10.0.0.1\n  listen 2525\n  mailboxes example.com\n  route * via=gw\n}
server b {\n  role mailbox\n  hostname b.example.com\n  address 10.0.0.2\n  mailboxes example.com\n  route * via=gw\n}
external isp {\n  role smarthost\n  hostname smtp.isp.example\n}\n`);
      const files = generatePostfix(m, OPTS);
      const main = file(files, 'postfix/gw/main.cf');
      assert.equal(param(main, 'relay_domains'), 'example.com, .example.com');
      assert.equal(param(main, 'relayhost'), '[smtp.isp.example]');
      assert.deepEqual(
        file(files, 'postfix/gw/transport')
          .split('\n')
          .filter((l) => l && !l.startsWith('#')),
        ['example.com\tsmtp:[10.0.0.1]:2525, [b.example.com]', '.example.com\tsmtp:'],
      );
    });

    it('accept from= limits: a recipient table naming a restriction class per limited domain', () => {
      const m = model(GW('  accept partner.example from=203.0.113.0/24'));
      const files = generatePostfix(m, OPTS);
      const main = file(files, 'postfix/gw/main.cf');
      assert.equal(
        param(main, 'smtpd_recipient_restrictions'),
        'check_recipient_access texthash:${config_directory}/recipient_access, permit_mynetworks, ' +
          'reject_unauth_destination, reject_unverified_recipient',
      );
      assert.equal(
        param(main, 'accept_from_1'),
        'check_client_access cidr:${config_directory}/accept_from_1.cidr, reject',
      );
      assert.deepEqual(
        file(files, 'postfix/gw/recipient_access')
          .split('\n')
          .filter((l) => l && !l.startsWith('#')),
        ['example.com\tverified_recipient', 'partner.example\taccept_from_1'],
      );
      assert.match(file(files, 'postfix/gw/accept_from_1.cidr'), /^203\.0\.113\.0\/24\tverified_recipient$/m);
      assert.equal(param(main, 'verified_recipient'), 'reject_unverified_recipient, permit');
    });

    it('tls, scan policy milters, attachments and max-size', () => {
      const m = model(
        GW(
          '  tls required\n  scan p',
          'policy p {\n  antivirus clamav\n  antispam rspamd\n  attachments block exe, vbs\n  max-size 64MB\n}',
        ),
      );
      const files = generatePostfix(m, OPTS);
      const main = file(files, 'postfix/gw/main.cf');
      assert.equal(param(main, 'smtpd_tls_security_level'), 'encrypt');
      assert.equal(param(main, 'smtpd_milters'), 'unix:/var/run/clamav/clamav-milter.ctl, inet:localhost:11332');
      assert.equal(param(main, 'milter_default_action'), 'tempfail');
      assert.equal(param(main, 'message_size_limit'), String(64 * 1024 * 1024));
      assert.equal(param(main, 'mailbox_size_limit'), '0', 'over the default mailbox limit: lifted, so Postfix starts');
      assert.match(file(files, 'postfix/gw/mime_header_checks'), /\\\.\(exe\|vbs\)/);
    });

    it('a scanner host: content_filter there, and a return service that trusts only the scanner', () => {
      const m = model(
        GW(
          '  scan p',
          'policy p {\n  antivirus sophos\n  scanner av\n}\ngateway av {\n  role relay\n ' +
            ' address 10.1.1.1\n  listen 10024\n  route * via=gw\n}',
        ),
      );
      const files = generatePostfix(m, OPTS);
      assert.equal(param(file(files, 'postfix/gw/main.cf'), 'content_filter'), 'scan:[10.1.1.1]:10024');
      assert.match(
        file(files, 'postfix/gw/master.cf'),
        /^10025 +inet[^\n]*\n( {2}-o [^\n]*\n)* {2}-o mynetworks=10\.1\.1\.1\/32\n/m,
      );
    });
  });

  describe('postfix: issue 13 (deployable as written)', () => {
    const pf = (text: string, gw = 'gw') => {
      const files = generatePostfix(model(text), OPTS);
      return {
        main: file(files, `postfix/${gw}/main.cf`),
        master: file(files, `postfix/${gw}/master.cf`),
        files,
      };
    };
    const services = (master: string) =>
      master
        .split('\n')
        .filter((l) => /^[^#\s]/.test(l))
        .map((l) => l.split(/\s+/).slice(0, 2).join(' '));

    it('port 25 of an internet-facing node is behind postscreen (smtpd pass, dnsblog, tlsproxy)', () => {
      const { master } = pf(GW(''));
      assert.ok(services(master).includes('smtp inet'));
      assert.match(master, /^smtp +inet +n +- +n +- +1 +postscreen$/m);
      for (const s of ['smtpd pass', 'dnsblog unix', 'tlsproxy unix']) assert.ok(services(master).includes(s), s);
    });

    it('a node that is not internet-facing gets plain smtpd and reject_rbl_client with listing codes', () => {
      const m = model(
        `gateway r {\n  role relay\n  address 10.0.0.9\n  dnsbl zen.spamhaus.org\n  relay allow from=10.0.0.0/8\n  route * via=direct\n}\n`,
      );
      const files = generatePostfix(m, OPTS);
      assert.match(file(files, 'postfix/r/master.cf'), /^smtp +inet .*smtpd$/m);
      assert.equal(
        param(file(files, 'postfix/r/main.cf'), 'smtpd_client_restrictions'),
        'permit_mynetworks, reject_rbl_client zen.spamhaus.org=127.0.0.[2..11]',
      );
    });

    it('submission and smtps only for declared ports, with SASL, ORIGINATING and sender-login checks', () => {
      const none = pf(GW('  relay allow from=any auth=required'));
      assert.doesNotMatch(none.master, /^(submission|submissions) /m);
      const both = pf(GW('  relay allow from=any auth=required\n  submission 465, 587'));
      assert.match(
        both.master,
        /^submission inet[^\n]*smtpd\n {2}-o syslog_name=postfix\/submission\n {2}-o smtpd_tls_security_level=encrypt\n {2}-o smtpd_sasl_auth_enable=yes/m,
      );
      assert.match(
        both.master,
        /^submissions inet[^\n]*\n {2}-o syslog_name=postfix\/submissions\n {2}-o smtpd_tls_wrappermode=yes/m,
      );
      for (const o of [
        'milter_macro_daemon_name=ORIGINATING',
        'smtpd_sender_restrictions=reject_sender_login_mismatch,permit_sasl_authenticated,reject',
        'smtpd_relay_restrictions=permit_sasl_authenticated,reject_unauth_destination',
      ])
        assert.equal(both.master.split(`  -o ${o}\n`).length - 1, 2, o);
      assert.equal(param(both.main, 'smtpd_sasl_auth_enable'), 'no', 'SASL only on the submission ports');
      assert.equal(param(both.main, 'smtpd_sender_login_maps'), 'regexp:${config_directory}/sender_login_maps');
    });

    it('recipients: verify -> reject_unverified_recipient, list -> relay_recipient_maps, none -> nothing', () => {
      const v = pf(GW(''));
      assert.match(param(v.main, 'smtpd_recipient_restrictions') ?? '', /reject_unverified_recipient$/);
      assert.equal(param(v.main, 'unverified_recipient_reject_code'), '550');
      const l = pf(GW('  recipients list'));
      assert.equal(param(l.main, 'relay_recipient_maps'), 'texthash:${config_directory}/relay_recipients');
      assert.deepEqual(
        file(l.files, 'postfix/gw/relay_recipients')
          .split('\n')
          .filter((x) => x && !x.startsWith('#')),
        [],
        'an empty table with instructions',
      );
      const n = pf(GW('  recipients none'));
      assert.doesNotMatch(n.main, /^(smtpd_recipient_restrictions|relay_recipient_maps|unverified_recipient)/m);
    });

    it("content filter as FILTER_README's advanced example; amavis with spamassassin is one filter", () => {
      const { main, master } = pf(GW('  scan p', 'policy p {\n  antivirus amavis\n  antispam spamassassin\n}'));
      assert.equal(param(main, 'content_filter'), 'scan:[127.0.0.1]:10024');
      assert.equal(param(main, 'receive_override_options'), 'no_address_mappings');
      assert.equal(param(main, 'smtpd_milters'), undefined, 'no second filter');
      assert.match(
        master,
        /^scan +unix +- +- +n +- +10 +smtp\n {2}-o syslog_name=postfix\/scan\n {2}-o smtp_send_xforward_command=yes\n {2}-o disable_mime_output_conversion=yes\n {2}-o smtp_generic_maps=\n/m,
      );
      const back = /^127\.0\.0\.1:10025 +inet[^\n]*smtpd\n((?: {2}-o [^\n]*\n)*)/m.exec(master)?.[1] ?? '';
      for (const o of [
        'content_filter=',
        'receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters',
        'smtpd_relay_restrictions=',
        'smtpd_recipient_restrictions=permit_mynetworks,reject',
        'mynetworks=127.0.0.0/8',
        'smtpd_authorized_xforward_hosts=127.0.0.0/8',
      ])
        assert.ok(back.includes(`  -o ${o}\n`), o);
    });

    it('the reinjection listener takes a port no listen uses (listen 25, 10025: one 10025 service)', () => {
      const { master } = pf(
        GW(
          '  listen 25, 10025\n  scan p',
          'policy p {\n  antivirus sophos\n  scanner av\n}\ngateway av {\n  role relay\n ' +
            ' address 10.1.1.1\n  listen 10024\n  route * via=gw\n}',
        ),
      );
      assert.equal(services(master).filter((x) => x === '10025 inet').length, 1);
      assert.match(master, /^10026 +inet[^\n]*\n( {2}-o [^\n]*\n)* {2}-o mynetworks=10\.1\.1\.1\/32\n/m);
    });

    it('milters: one engine for both jobs is one milter; proxy -> smtpd_proxy_filter; unknown engine -> placeholder', () => {
      const one = pf(GW('  scan p', 'policy p {\n  antivirus clamav\n  antispam clamav\n}'));
      assert.equal(param(one.main, 'smtpd_milters'), 'unix:/var/run/clamav/clamav-milter.ctl');
      const proxy = pf(GW('  scan p', 'policy p {\n  antivirus clamav\n  method proxy\n}'));
      assert.equal(param(proxy.main, 'smtpd_proxy_filter'), '127.0.0.1:10024');
      assert.match(proxy.master, /^127\.0\.0\.1:10025 +inet[^\n]*\n( {2}-o [^\n]*\n)* {2}-o smtpd_proxy_filter=\n/m);
      const odd = pf(GW('  scan p', 'policy p {\n  antivirus sophos\n}'));
      assert.equal(param(odd.main, 'smtpd_milters'), undefined);
      assert.match(
        odd.main,
        /^# sophos: an engine mailtopo does not know\. Fill in .*\n#smtpd_milters = inet:127\.0\.0\.1:PORT$/m,
      );
    });

    it('members of a proxy-protocol pool read the PROXY header; the vip passes postscreen', () => {
      const text =
        `pool p {\n  mode balanced\n  vip 198.51.100.10\n  hostname mail.example.com\n ` +
        ` source proxy-protocol\n  members gw\n}\n${GW('').replace('mx 10 gw', 'mx 10 p')}`;
      const { main, master, files } = pf(text);
      assert.match(master, /^smtp +inet[^\n]*postscreen\n {2}-o postscreen_upstream_proxy_protocol=haproxy$/m);
      assert.equal(
        param(main, 'postscreen_access_list'),
        'permit_mynetworks, cidr:${config_directory}/postscreen_access.cidr',
      );
      assert.match(file(files, 'postfix/gw/postscreen_access.cidr'), /^198\.51\.100\.10\/32\tpermit$/m);
      const cfg = file(generateHaproxy(model(text), OPTS), 'haproxy/haproxy.cfg');
      assert.match(cfg, /^ {4}default-server check inter 10s fall 2 rise 2 send-proxy-v2 check-send-proxy$/m);
      assert.match(cfg, /^ {4}source 198\.51\.100\.10$/m);
    });

    it('a server with software postfix gets Postfix; its mailboxes go to the mailbox store over LMTP', () => {
      const m = model(GW('').replace('  role mailbox\n', '  role mailbox\n  software postfix\n'));
      const main = file(generatePostfix(m, OPTS), 'postfix/mbx/main.cf');
      assert.equal(param(main, 'virtual_mailbox_domains'), 'example.com');
      assert.equal(param(main, 'virtual_transport'), 'lmtp:unix:private/dovecot-lmtp');
      assert.match(param(main, 'smtpd_recipient_restrictions') ?? '', /reject_unverified_recipient$/);
      assert.ok(
        !generatePostfix(model(GW('')), OPTS).some((f) => f.path.startsWith('postfix/mbx/')),
        'exchange by default',
      );
    });

    it('members of a source masked pool: no postscreen and no spam lists (every client is the proxy)', () => {
      const text =
        `pool p {\n  mode balanced\n  vip 198.51.100.10\n  hostname mail.example.com\n ` +
        ` source masked\n  members gw\n}\n${GW('  dnsbl zen.spamhaus.org').replace('mx 10 gw', 'mx 10 p')}`;
      const { main, master } = pf(text);
      assert.doesNotMatch(master, /postscreen/);
      assert.doesNotMatch(main, /^(postscreen_dnsbl_sites|smtpd_client_restrictions) /m);
      assert.match(main, /^# Behind a source masked pool every client arrives as 198\.51\.100\.10:$/m);
    });

    it('route auth=yes: SMTP AUTH to those hops over TLS only, a password table to fill in', () => {
      const { main, files } = pf(
        GW('').replace('route * via=direct', 'route * via=isp auth=yes') +
          'external isp {\n  role smarthost\n  hostname smtp.isp.example\n}\n',
      );
      assert.equal(param(main, 'smtp_sasl_auth_enable'), 'yes');
      assert.match(file(files, 'postfix/gw/tls_policy'), /^\[smtp\.isp\.example\]\tencrypt$/m);
      assert.match(file(files, 'postfix/gw/sasl_passwd'), /^#\[smtp\.isp\.example\]\tLOGIN:PASSWORD$/m);
    });
  });

  describe('haproxy', () => {
    const POOL = (
      mode: string,
      health = 'smtp interval=2s',
      ports = '25',
    ) => `pool p {\n  mode ${mode}\n  vip 198.51.100.10\n  hostname mail.example.com\n  ports ${ports}\n  members a, b\n  health ${health}\n}
gateway a {\n  role edge\n  address 198.51.100.11\n  route * via=direct\n}
gateway b {\n  role edge\n  hostname b.example.com\n  route * via=direct\n}\n`;

    it('balanced: roundrobin, smtpchk, inter from the interval', () => {
      const cfg = file(generateHaproxy(model(POOL('balanced')), OPTS), 'haproxy/haproxy.cfg');
      assert.match(cfg, /^frontend p\n {4}bind 198\.51\.100\.10:25\n {4}default_backend p$/m);
      assert.match(cfg, /^ {4}balance roundrobin$/m);
      assert.match(cfg, /^ {4}option smtpchk HELO mail\.example\.com$/m);
      assert.match(cfg, /^ {4}default-server check inter 2s fall 2 rise 2$/m);
      assert.match(cfg, /^ {4}mode tcp$/m);
      assert.match(cfg, /^ {4}timeout client 5m$/m);
      assert.match(cfg, /^ {4}server a 198\.51\.100\.11:25$/m);
      assert.match(
        cfg,
        /^ {4}server b b\.example\.com:25 resolvers system init-addr none$/m,
        'a member known by name is resolved at run time',
      );
    });

    it('failover: balance first, the later members backups; health tcp: no smtpchk; several ports', () => {
      const cfg = file(
        generateHaproxy(model(POOL('failover', 'tcp interval=500ms', '25, 587')), OPTS),
        'haproxy/haproxy.cfg',
      );
      assert.match(cfg, /^ {4}balance first$/m);
      assert.match(cfg, /^ {4}server b b\.example\.com backup resolvers system init-addr none$/m);
      assert.doesNotMatch(cfg, /smtpchk/);
      assert.match(cfg, /^ {4}default-server check inter 500ms fall 2 rise 2 port 25$/m);
      assert.match(cfg, /bind 198\.51\.100\.10:587/);
    });

    it('round-robin pools get no load balancer, and no pool at all means no file', () => {
      const rr = model(POOL('round-robin').replace('  vip 198.51.100.10\n', ''));
      assert.deepEqual(generateHaproxy(rr, OPTS), []);
    });
  });

  describe('bind', () => {
    it('null MX, default NS with a placeholder glue, contact with dots', () => {
      const m = model(
        'options {\n  contact first.last@example.org\n  ttl 5m\n}\ndomain quiet.example {\n  mx none\n}\n',
      );
      const [z] = generateBind(m, OPTS);
      assert.equal(z.path, 'bind/db.quiet.example');
      assert.match(z.content, /^@\tIN\tMX\t0 \./m);
      assert.match(z.content, /^@\tIN\tSOA\tns1\.quiet\.example\. first\\\.last\.example\.org\. \($/m);
      assert.match(z.content, /^\$TTL 300$/m);
      assert.match(z.content, /^ns1\tIN\tA\t192\.0\.2\.53$/m);
      assert.ok(z.notes?.some((n) => /placeholder/.test(n)));
    });

    it('a round-robin pool name gets every member address; an MX to an address is left out', () => {
      const m = model(
        `domain example.com {\n  mx 10 rr\n  mx 20 192.0.2.9\n}
pool rr {\n  mode round-robin\n  hostname mx.example.com\n  members a, b\n}
gateway a {\n  role edge\n  address 198.51.100.1\n  route * via=direct\n}
gateway b {\n  role edge\n  address 2001:db8::2\n  route * via=direct\n}\n`.replace(
          'mx 20 192.0.2.9',
          'mx 20 backup.example.net',
        ),
        true,
      );
      const [z] = generateBind(m, OPTS);
      assert.match(z.content, /^mx\tIN\tA\t198\.51\.100\.1\t/m);
      assert.match(z.content, /^mx\tIN\tAAAA\t2001:db8::2\t/m);
      assert.match(z.content, /^@\tIN\tMX\t20 backup\.example\.net\.$/m);
    });

    it('TXT records: at most 255 bytes a string, split at a space, escaped, decoding to the value', () => {
      const long = 'v=spf1 ' + Array.from({ length: 20 }, (_, i) => `ip4:198.51.100.${i}`).join(' ') + ' -all';
      const t = txtStrings(long);
      assert.equal(decodeTxt(t), long);
      const parts = t.match(/"[^"]*"/g)!;
      assert.ok(parts.length === 2 && parts.every((p) => p.length - 2 <= 255));
      assert.ok(parts[0].endsWith(' "'), 'split after a space');
      assert.equal(txtStrings('a"b\\c'), '"a\\"b\\\\c"');
      assert.equal(txtStrings(''), '""');
      assert.equal(decodeTxt(txtStrings('x'.repeat(600))), 'x'.repeat(600));
    });
  });

  describe('exchange', () => {
    it('single-quoted literals double every quote PowerShell honours', () => {
      assert.equal(psq("it's"), "'it''s'");
      assert.equal(psq('a\u2019b'), "'a\u2019\u2019b'");
      assert.equal(psq('a\nb\0'), "'ab'");
    });

    it('a mailbox server: accepted domain, send connector with smart hosts, anonymous relay connector, block lists', () => {
      const m = model(`options {\n  dnsbl zen.spamhaus.org\n}
domain example.com {\n  mx 10 gw\n}
gateway gw {\n  role edge\n  hostname mx.example.com\n  address 198.51.100.25\n  accept example.com\n  relay allow from=10.0.0.5\n  route example.com via=ex\n  route * via=direct\n}
server ex {\n  role mailbox\n  zone perimeter\n  hostname ex.corp.example.com\n  address 10.0.0.5\n  mailboxes example.com\n  relay allow from=10.1.0.0/16\n  route * via=gw\n}\n`);
      const ps = file(generateExchange(m, OPTS), 'exchange/ex.ps1');
      assert.match(ps, /^\$Server = 'EX'$/m);
      assert.match(ps, /New-AcceptedDomain -Name 'example\.com' -DomainName 'example\.com' -DomainType Authoritative/);
      assert.match(
        ps,
        /New-SendConnector -Name 'mailtopo ex route 1' -Usage Custom -AddressSpaces 'SMTP:\*;1' -DNSRoutingEnabled \$false -SmartHosts 'mx\.example\.com' -SourceTransportServers \$Server/,
      );
      assert.match(
        ps,
        /New-ReceiveConnector -Name 'mailtopo ex relay' -Server \$Server -TransportRole FrontendTransport -Custom -Bindings '0\.0\.0\.0:25' -RemoteIPRanges '10\.1\.0\.0\/16' -PermissionGroups AnonymousUsers/,
      );
      assert.match(
        ps,
        /Add-ADPermission -User 'NT AUTHORITY\\ANONYMOUS LOGON' -ExtendedRights 'Ms-Exch-SMTP-Accept-Any-Recipient'/,
      );
      assert.match(
        ps,
        // issue 13: real listing codes, never -AnyMatch; Connection Filtering runs only on Edge, so a
        // Mailbox server gets the command as an instruction.
        /^# {3} {4}Add-IPBlockListProvider -Name 'zen\.spamhaus\.org' -LookupDomain 'zen\.spamhaus\.org' -IPAddressesMatch '127\.0\.0\.2',.*,'127\.0\.0\.11' -Enabled \$true -Priority 1$/m,
      );
      assert.deepEqual(
        generateExchange(m, OPTS).map((f) => f.path),
        ['exchange/ex.ps1'],
        'a gateway with the default software (postfix) gets no script',
      );
    });
  });

  describe('diagrams', () => {
    it('the graph: zones as clusters, MX and route edges, pool members, declaration places', () => {
      const m = model(GW('  relay allow from=10.0.0.0/8', '', '  route * via=gw'));
      const g = buildGraph(m);
      assert.deepEqual(
        g.clusters.map((c) => [c.zone, c.nodeIds]),
        [
          ['perimeter', ['gw']],
          ['internal', ['mbx']],
        ],
      );
      assert.deepEqual(
        g.edges.map((e) => `${e.from} -${e.kind}-> ${e.to} ${e.label}`),
        [
          'domain:example.com -mx-> gw MX 10',
          'gw -route-> mbx example.com',
          'gw -route-> internet *',
          'mbx -route-> gw *',
        ],
      );
      const gw = g.nodes.find((n) => n.id === 'gw')!;
      assert.equal(gw.file, 't.mailtopo');
      assert.equal(gw.range?.start.line, 4);
    });

    it('DOT strings and Mermaid labels escape what would end them', () => {
      assert.equal(dotString('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
      assert.equal(mermaidText('a"b#c<d>'), 'a#34;b#35;c#60;d#62;');
    });
  });

  it('sizes and durations in the units the targets read', () => {
    assert.equal(sizeText(25 * 1024 * 1024), '25MB');
    assert.equal(sizeText(1000), '1000B');
    assert.equal(durationText(10), '10s');
    assert.equal(durationText(120), '2m');
    assert.equal(durationText(0.5), '500ms');
  });
});
