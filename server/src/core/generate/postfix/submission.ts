// Message submission (RFC 6409, RFC 8314): a service only for each declared
// `submission` port (465 in wrapper mode, others STARTTLS). Clients must log
// in (SASL through Dovecot's auth socket) before MAIL FROM, may only use the
// sender addresses their login owns, and their mail is marked ORIGINATING
// for milters (DKIM signing instead of inbound checks).
import { commentHeader } from '../common';
import { addFile, addMain, CONF, service, type Ctx, type Service } from './context';
import type { Plan } from './plan';
import { saslRelayPermit } from './relay';

export function saslSection(ctx: Ctx, plan: Plan): void {
  if (!plan.submission.length) {
    if (plan.rs.usesAuth) {
      addMain(ctx, '# relay ... auth=required, but no submission port is declared: nobody can log in here.', '');
      ctx.notes.push(`postfix ${ctx.name}: relay rules need authentication but no submission port is declared`);
    }
    return;
  }
  addMain(
    ctx,
    `# submission ${plan.submission.join(', ')}: SASL (Dovecot's auth socket) on those ports only (master.cf).`,
    'smtpd_sasl_type = dovecot',
    'smtpd_sasl_path = private/auth',
    'smtpd_sasl_auth_enable = no',
    'smtpd_sasl_security_options = noanonymous',
    'smtpd_tls_auth_only = yes',
    '# Which login may send as which address (reject_sender_login_mismatch on the submission ports).',
    `smtpd_sender_login_maps = regexp:${CONF}/sender_login_maps`,
    '',
  );
  addFile(
    ctx,
    'sender_login_maps',
    commentHeader('#', ctx.opts.source, `Postfix sender login table of ${ctx.name} (submission)`) +
      '# MAIL FROM address -> the SASL login(s) that may use it, first match wins (regexp table).\n' +
      '# Shared or alias addresses go above the last line, e.g.\n' +
      '#   /^sales@example\\.com$/   alice@example.com, bob@example.com\n' +
      '# The last line: an address belongs to the login of the same name (Dovecot logins that are addresses).\n' +
      '/^(.+@.+)$/\t${1}\n',
  );
}

/** One service per declared submission port. */
export function submissionServices(plan: Plan): Service[] {
  const relay = saslRelayPermit(plan);
  return plan.submission.map((port) => {
    const wrapper = port === 465;
    const name = port === 587 ? 'submission' : wrapper ? 'submissions' : String(port);
    const opts = [
      `syslog_name=postfix/${wrapper ? 'submissions' : 'submission'}`,
      wrapper ? 'smtpd_tls_wrappermode=yes' : 'smtpd_tls_security_level=encrypt',
      'smtpd_sasl_auth_enable=yes',
      // Restrictions apply at once (not at RCPT), so MAIL FROM without a login is refused.
      'smtpd_delay_reject=no',
      'smtpd_client_restrictions=',
      'smtpd_helo_restrictions=',
      'smtpd_sender_restrictions=reject_sender_login_mismatch,permit_sasl_authenticated,reject',
      'smtpd_recipient_restrictions=',
      `smtpd_relay_restrictions=${relay ? `${relay},` : ''}reject_unauth_destination`,
      'milter_macro_daemon_name=ORIGINATING',
    ];
    if (plan.proxyPorts.has(port)) opts.push('smtpd_upstream_proxy_protocol=haproxy');
    const comment = [
      `# submission port ${port}${wrapper ? ' (implicit TLS)' : ' (STARTTLS)'}: log in first, then send as your own address.`,
    ];
    if (!relay) comment.push('# No relay rule has auth=required: logged-in clients reach only the accepted domains.');
    return service(name, 'inet', 'smtpd', { priv: 'n', opts, comment });
  });
}
