import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface EmbeddedRedisOptions {
  /** Directory for the AOF and RDB files; created when missing. */
  dataDir: string;
  /** Port to listen on; a free loopback port when omitted. */
  port?: number;
  /** Append-only file on (the durable default) or off (fast, for tests). */
  appendOnly?: boolean;
  /** Path of the redis-server binary. */
  binary?: string;
  /** Called when the server exits unexpectedly and is being restarted. */
  onRestart?: (info: { code: number | null; signal: NodeJS.Signals | null; restarts: number }) => void;
  /** Restart the server when it dies (supervision). Default true. */
  supervise?: boolean;
}

export interface EmbeddedRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and supervision. */
  stop(): Promise<void>;
  /** The current child process (changes after a supervised restart). */
  readonly pid: number | undefined;
}

/** Finds a free TCP port on 127.0.0.1. */
export async function findFreePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} during start`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.end();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not accept connections on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Starts a redis-server bound to 127.0.0.1 with its data in `dataDir` (AOF on unless
 * told otherwise) and, by default, restarts it when it dies. Resolves once it accepts
 * connections.
 */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const port = options.port ?? (await findFreePort());
  const binary = options.binary ?? 'redis-server';
  const appendOnly = options.appendOnly ?? true;
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', path.resolve(options.dataDir),
    '--appendonly', appendOnly ? 'yes' : 'no',
    '--appendfsync', 'everysec',
    '--save', appendOnly ? '3600 1 300 100 60 10000' : '',
    '--daemonize', 'no',
    '--protected-mode', 'yes',
    '--maxmemory-policy', 'noeviction',
    '--loglevel', 'warning',
    '--logfile', '',
  ];
  let stopped = false;
  let restarts = 0;
  let child: ChildProcess;

  const launch = (): ChildProcess => {
    const c = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr?.on('data', () => undefined);
    return c;
  };

  child = launch();
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  await Promise.race([waitForPort(port, child, 15_000), spawnError]);

  const supervise = (c: ChildProcess): void => {
    c.once('exit', (code, signal) => {
      if (stopped || options.supervise === false) return;
      restarts += 1;
      options.onRestart?.({ code, signal, restarts });
      // Back off a little so a crash loop does not spin the CPU.
      setTimeout(() => {
        if (stopped) return;
        child = launch();
        child.once('error', () => undefined);
        supervise(child);
      }, Math.min(2000, 100 * restarts));
    });
  };
  supervise(child);

  const onExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', onExit);

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child.pid;
    },
    async stop() {
      stopped = true;
      process.off('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}
