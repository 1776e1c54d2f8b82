// A small SMTP server on 127.0.0.1 (RFC 5321 subset: EHLO/HELO, AUTH PLAIN and LOGIN,
// MAIL, RCPT, DATA, RSET, NOOP, QUIT) that records every accepted message and can be
// told to answer a stage with a failure reply, as a real relay does.
import net from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
  user: string | undefined;
  header(name: string): string | undefined;
}

export type SmtpStage = 'AUTH' | 'MAIL' | 'RCPT' | 'DATA';

export interface FakeSmtp {
  host: string;
  port: number;
  mails: ReceivedMail[];
  /** The next command of `stage` is answered with `reply` (e.g. "535 5.7.8 bad credentials"). */
  failNext(stage: SmtpStage, reply: string): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeSmtp(users: Record<string, string> = {}): Promise<FakeSmtp> {
  const mails: ReceivedMail[] = [];
  const failures: { stage: SmtpStage; reply: string }[] = [];
  const sockets = new Set<net.Socket>();
  const takeFailure = (stage: SmtpStage) => {
    const i = failures.findIndex((f) => f.stage === stage);
    return i < 0 ? undefined : failures.splice(i, 1)[0]!.reply;
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let mode: 'command' | 'data' | 'auth-login-user' | 'auth-login-pass' = 'command';
    let user: string | undefined;
    let pendingUser = '';
    let from = '';
    let to: string[] = [];
    const reply = (line: string) => socket.write(`${line}\r\n`);
    const checkLogin = (name: string, pass: string) => {
      const failure = takeFailure('AUTH');
      if (failure) return reply(failure);
      if (users[name] !== undefined && users[name] === pass) {
        user = name;
        return reply('235 2.7.0 Authentication successful');
      }
      reply('535 5.7.8 Authentication credentials invalid');
    };
    reply('220 fake-smtp ESMTP ready');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (mode === 'data') {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const data = buffer.slice(0, end).replace(/^\.\./gm, '.');
          buffer = buffer.slice(end + 5);
          mode = 'command';
          const failure = takeFailure('DATA');
          if (failure) {
            reply(failure);
            continue;
          }
          const [head] = data.split(/\r\n\r\n/);
          const header = (name: string) => new RegExp(`^${name}:\\s*(.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(head ?? '')?.[1]?.replace(/\r\n[ \t]/g, ' ');
          mails.push({ from, to, data, user, header });
          reply('250 2.0.0 queued as fake');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (mode === 'auth-login-user') {
          pendingUser = Buffer.from(line, 'base64').toString();
          mode = 'auth-login-pass';
          reply('334 UGFzc3dvcmQ6');
          continue;
        }
        if (mode === 'auth-login-pass') {
          mode = 'command';
          checkLogin(pendingUser, Buffer.from(line, 'base64').toString());
          continue;
        }
        const [verb = '', ...args] = line.split(' ');
        const rest = args.join(' ');
        switch (verb.toUpperCase()) {
          case 'EHLO':
            reply('250-fake-smtp');
            reply('250-AUTH PLAIN LOGIN');
            reply('250-8BITMIME');
            reply('250 SMTPUTF8');
            break;
          case 'HELO':
            reply('250 fake-smtp');
            break;
          case 'AUTH': {
            const [method, initial] = args;
            if (method?.toUpperCase() === 'PLAIN' && initial) {
              const [, name = '', pass = ''] = Buffer.from(initial, 'base64').toString().split('\0');
              checkLogin(name, pass);
            } else if (method?.toUpperCase() === 'LOGIN') {
              mode = 'auth-login-user';
              reply('334 VXNlcm5hbWU6');
            } else reply('504 5.5.4 unrecognized authentication type');
            break;
          }
          case 'MAIL': {
            const failure = takeFailure('MAIL');
            if (failure) {
              reply(failure);
              break;
            }
            if (Object.keys(users).length && !user) {
              reply('530 5.7.0 Authentication required');
              break;
            }
            from = /<([^>]*)>/.exec(rest)?.[1] ?? '';
            to = [];
            reply('250 2.1.0 OK');
            break;
          }
          case 'RCPT': {
            const failure = takeFailure('RCPT');
            if (failure) {
              reply(failure);
              break;
            }
            to.push(/<([^>]*)>/.exec(rest)?.[1] ?? '');
            reply('250 2.1.5 OK');
            break;
          }
          case 'DATA':
            mode = 'data';
            reply('354 End data with <CR><LF>.<CR><LF>');
            break;
          case 'RSET':
            from = '';
            to = [];
            reply('250 2.0.0 OK');
            break;
          case 'NOOP':
            reply('250 2.0.0 OK');
            break;
          case 'QUIT':
            reply('221 2.0.0 Bye');
            socket.end();
            break;
          default:
            reply('502 5.5.2 command not recognized');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    mails,
    failNext: (stage, reply) => void failures.push({ stage, reply }),
    reset: () => {
      mails.length = 0;
      failures.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
