// A minimal SMTP sink for the integration tier (loopback only):
//   node test/support/smtpSink.cjs PORT OUTFILE [HOST]
// Appends "RCPT <addrs> FROM <addr> PEER <ip>" and the message, then ".", per
// mail, and answers "250 Queued by sink PORT". Stops on SIGTERM/SIGINT.
'use strict';
const { SMTPServer } = require('smtp-server');
const fs = require('node:fs');

const port = Number(process.argv[2]);
const out = process.argv[3];
const host = process.argv[4] || '127.0.0.1';
if (!Number.isInteger(port) || port < 1 || port > 65535 || !out) {
  console.error('usage: smtpSink.cjs PORT OUTFILE [HOST]');
  process.exit(2);
}
if (!/^127\.|^::1$/.test(host)) {
  console.error('smtpSink: loopback addresses only');
  process.exit(2);
}
const srv = new SMTPServer({
  name: `sink${port}.test.example`,
  banner: `sink ${port}`,
  authOptional: true,
  disableReverseLookup: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, cb) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const rcpt = session.envelope.rcptTo.map((r) => r.address).join(',');
      const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      fs.appendFileSync(out, `RCPT ${rcpt} FROM ${from} PEER ${session.remoteAddress}\n${body}\n.\n`);
      cb(null, `Queued by sink ${port}`);
    });
  },
});
srv.on('error', (e) => {
  console.error(`sink ${port}:`, e.message);
  process.exit(1);
});
const stop = () => srv.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
srv.listen(port, host, () => console.log(`sink listening ${host}:${port}`));
