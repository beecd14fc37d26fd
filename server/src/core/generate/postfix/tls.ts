// STARTTLS on inbound SMTP (`tls`), the certificate every TLS listener uses
// (submission ports included), and opportunistic TLS outbound.
import { addMain, type Ctx } from './context';
import type { Plan } from './plan';

export function tlsSection(ctx: Ctx, plan: Plan): void {
  const { node } = ctx;
  const level = node.tls === 'required' ? 'encrypt' : node.tls === 'off' ? 'none' : 'may';
  const required = node.tls === 'required' ? ' (required: clients that cannot encrypt are refused)' : '';
  addMain(ctx, `# tls ${node.tls}: STARTTLS on inbound SMTP${required}.`);
  addMain(ctx, `smtpd_tls_security_level = ${level}`);
  if (level !== 'none' || plan.rs.usesAuth || plan.submission.length) {
    addMain(ctx, `# Replace with the certificate and key of ${node.hostname?.value ?? ctx.name}.`);
    addMain(
      ctx,
      'smtpd_tls_cert_file = /etc/ssl/certs/ssl-cert-snakeoil.pem',
      'smtpd_tls_key_file = /etc/ssl/private/ssl-cert-snakeoil.key',
    );
  }
  addMain(ctx, 'smtp_tls_security_level = may', '');
}
