// A scan policy's limits Postfix enforces itself: blocked attachment
// extensions (mime_header_checks) and max-size (message_size_limit).
import type { PolicyDecl } from '../../model/types';
import { commentHeader, guard } from '../common';
import { addFile, addMain, CONF, type Ctx } from './context';

const DEFAULT_MAILBOX_SIZE = 51200000;

/** Regexp table rejecting blocked attachment extensions. */
function mimeChecks(policy: PolicyDecl, source: string): string | undefined {
  const exts: string[] = [];
  for (const a of policy.attachments) {
    if (a.action !== 'block') continue;
    for (const e of a.extensions) {
      const w = guard(e.text, 'word', 'an attachment regexp').toLowerCase().replace(/\+/g, '\\+');
      if (!exts.includes(w)) exts.push(w);
    }
  }
  if (!exts.length) return undefined;
  return (
    commentHeader('#', source, `Postfix mime_header_checks (attachments block of policy ${policy.name})`) +
    '# Rejects a message whose attachment file name ends in a blocked extension (matching ignores case).\n' +
    `/^Content-(Disposition|Type):.*name[*0-9]*[[:space:]]*=[[:space:]]*"?[^"]*\\.(${exts.join('|')})"?[[:space:]]*(;.*)?$/ ` +
    `REJECT attachment type blocked by policy ${guard(policy.name, 'name', 'a regexp table')}\n`
  );
}

export function policyLimits(ctx: Ctx, pol: PolicyDecl): void {
  if (pol.onVirusStmt) addMain(ctx, `# on-virus ${pol.onVirus}: configure it in the scanner.`);
  const mc = mimeChecks(pol, ctx.opts.source);
  if (mc) {
    addMain(ctx, `mime_header_checks = regexp:${CONF}/mime_header_checks`);
    addFile(ctx, 'mime_header_checks', mc);
  }
  if (pol.attachments.some((a) => a.action === 'allow'))
    addMain(ctx, '# attachments allow ...: Postfix cannot allow-list; only blocked extensions are refused here.');
  if (pol.maxSize && pol.maxSize.bytes > 0) {
    addMain(ctx, `# max-size ${pol.maxSize.text}`, `message_size_limit = ${pol.maxSize.bytes}`);
    if (pol.maxSize.bytes > DEFAULT_MAILBOX_SIZE) addMain(ctx, 'mailbox_size_limit = 0');
  }
}
