// A throw-away PostgreSQL cluster for tests: initdb into a temporary directory, password
// (SCRAM) authentication on 127.0.0.1, a free port, stopped and removed afterwards. As
// root, the server runs as the `postgres` (or `nobody`) user, since it refuses root.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPostgres {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  stop(): Promise<void>;
}

/** The directory holding initdb, pg_ctl and postgres, or undefined when PostgreSQL is not installed. */
export function findPostgresBin(): string | undefined {
  const candidates = [process.env.PG_BIN, ...(process.env.PATH ?? '').split(':')];
  const versions = fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
  candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  return candidates.find((dir): dir is string => !!dir && ['initdb', 'pg_ctl', 'postgres'].every((b) => fs.existsSync(path.join(dir, b))));
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function runAsUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = fs.readFileSync('/etc/passwd', 'utf8').split('\n');
  const user = ['postgres', 'nobody'].find((u) => passwd.some((l) => l.startsWith(`${u}:`)));
  if (!user) throw new Error('running as root and neither the postgres nor the nobody user exists');
  return user;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL binaries not found');
  const user = runAsUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbridge-pg-'));
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  const password = 'flowbridge-test';
  fs.writeFileSync(pwfile, `${password}\n`);
  if (user) {
    const { stdout } = await run('id', ['-u', user]);
    const { stdout: gid } = await run('id', ['-g', user]);
    fs.chmodSync(dir, 0o700);
    fs.chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    fs.chownSync(pwfile, Number(stdout.trim()), Number(gid.trim()));
  }
  const exec = (file: string, args: string[]) => (user ? run('runuser', ['-u', user, '--', path.join(bin, file), ...args], { cwd: dir }) : run(path.join(bin, file), args, { cwd: dir }));
  await exec('initdb', ['-D', data, '-U', 'flowbridge', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
  await exec('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  return {
    host: '127.0.0.1',
    port,
    database: 'postgres',
    user: 'flowbridge',
    password,
    async stop() {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
