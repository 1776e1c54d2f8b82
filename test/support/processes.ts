// Runs flowbridge as real child processes (the package's own bin), for tests that kill
// them: crash safety, shutdown, the CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const BIN = path.resolve(import.meta.dirname, '../../bin/flowbridge.js');

export interface FlowbridgeProcess {
  proc: ChildProcess;
  /** `http://host:port` for roles with the API. */
  url: string | undefined;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `flowbridge <command> [args]` and resolves once it prints its ready line. */
export async function spawnFlowbridge(command: 'start' | 'api' | 'worker', args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<FlowbridgeProcess> {
  const proc = spawn(process.execPath, [BIN, command, ...args], { env: { ...process.env, FLOWBRIDGE_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = await new Promise<string | undefined>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`flowbridge ${command} did not get ready in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = () => {
      const listening = /flowbridge listening on (http:\/\/\S+)/.exec(out);
      if (listening || /flowbridge worker running/.test(out)) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        resolve(listening?.[1]);
      }
    };
    proc.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`flowbridge ${command} exited with ${code} before it was ready:\n${out}`));
    });
  });
  return { proc, url, output: () => out, exited };
}
