// Stand-ins for the software around a generated Postfix, for run-deploy-postfix.sh
// (loopback only; each runs until killed by its PID):
//   mailbox HOST PORT MBOX KNOWN,...   an SMTP mailbox server that refuses unknown
//                                      recipients at RCPT (550 5.1.1) and appends
//                                      each message to MBOX
//   filter PORT REINJECT HEADER        an after-queue content filter on 127.0.0.1:PORT:
//                                      adds the header line HEADER and hands the mail
//                                      back to 127.0.0.1:REINJECT (the generated
//                                      reinjection listener) before it answers 250
//   auth SOCKET USER PASSWORD          Dovecot's auth protocol (PLAIN) on a unix socket,
//                                      for Postfix's smtpd_sasl_type = dovecot
'use strict';
const fs = require('fs');
const net = require('net');
const { SMTPServer } = require('smtp-server');
const nodemailer = require('nodemailer');

const [mode, ...args] = process.argv.slice(2);

function readAll(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function smtp(host, port, name, handlers) {
  const srv = new SMTPServer({
    name,
    banner: name,
    authOptional: true,
    disableReverseLookup: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    ...handlers,
  });
  srv.on('error', (e) => console.error(`${name}:`, e.message));
  srv.listen(port, host, () => console.log(`${name} listening ${host}:${port}`));
}

function mailbox(host, port, mbox, known) {
  const users = new Set(known.split(',').map((u) => u.toLowerCase()));
  smtp(host, Number(port), `mailbox${port}`, {
    onRcptTo(addr, _session, cb) {
      if (users.has(addr.address.toLowerCase())) return cb();
      const e = new Error(`5.1.1 <${addr.address}>: Recipient address rejected: User unknown`);
      e.responseCode = 550;
      return cb(e);
    },
    onData(stream, session, cb) {
      readAll(stream).then((body) => {
        const rcpt = session.envelope.rcptTo.map((r) => r.address).join(',');
        fs.appendFileSync(mbox, `RCPT ${rcpt} FROM ${session.envelope.mailFrom.address}\n${body}\n.\n`);
        cb(null, 'delivered');
      }, cb);
    },
  });
}

function filter(port, reinject, header) {
  const out = nodemailer.createTransport({ host: '127.0.0.1', port: Number(reinject), secure: false, ignoreTLS: true });
  smtp('127.0.0.1', Number(port), `filter${port}`, {
    onData(stream, session, cb) {
      readAll(stream)
        .then((body) =>
          out.sendMail({
            envelope: {
              from: session.envelope.mailFrom.address,
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            raw: Buffer.concat([Buffer.from(`${header}\r\n`), body]),
          }),
        )
        .then(
          (info) => cb(null, `filtered and reinjected: ${info.response}`),
          (e) => {
            console.error('reinjection failed:', e.message);
            const err = new Error('4.3.0 reinjection failed');
            err.responseCode = 451;
            cb(err);
          },
        );
    },
  });
}

// Dovecot auth protocol 1.2, the server side Postfix's xsasl_dovecot client talks to.
function auth(socket, user, password) {
  try {
    fs.unlinkSync(socket);
  } catch {
    /* not there yet */
  }
  const srv = net.createServer((c) => {
    c.write(`VERSION\t1\t2\nMECH\tPLAIN\tplaintext\nSPID\t${process.pid}\nCUID\t1\nCOOKIE\t${'0'.repeat(32)}\nDONE\n`);
    let buf = '';
    c.on('data', (d) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).split('\t');
        buf = buf.slice(i + 1);
        if (line[0] !== 'AUTH' && line[0] !== 'CONT') continue;
        const id = line[1];
        // AUTH with an initial response (resp=), or the answer (CONT) to our empty challenge.
        const resp = line[0] === 'CONT' ? line[2] : line.find((f) => f.startsWith('resp='))?.slice(5);
        if (resp === undefined) {
          c.write(`CONT\t${id}\t\n`);
          continue;
        }
        const [, u, p] = Buffer.from(resp, 'base64').toString().split('\0');
        c.write(u === user && p === password ? `OK\t${id}\tuser=${u}\n` : `FAIL\t${id}\tuser=${u ?? ''}\n`);
      }
    });
    c.on('error', () => {});
  });
  srv.listen(socket, () => {
    fs.chmodSync(socket, 0o666);
    console.log(`auth listening ${socket}`);
  });
}

if (mode === 'mailbox') mailbox(...args);
else if (mode === 'filter') filter(...args);
else if (mode === 'auth') auth(...args);
else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
