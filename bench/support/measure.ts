// What every benchmark needs around the system it measures: wait for a child process's
// ready line, and read how much CPU a process and Redis used.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Redis } from 'ioredis';

/**
 * Resolves with the first match of `re` in the process's stdout; rejects if it exits first or
 * after 60 s. BENCH_CHILD_LOG=FILE appends everything the process prints to FILE (e.g. with
 * BENCH_NODE_ARGS=--trace-gc).
 */
export function waitForLine(proc: ChildProcess, re: RegExp): Promise<RegExpExecArray> {
  let out = '';
  let ready = false;
  const tee = process.env.BENCH_CHILD_LOG;
  const take = (d: Buffer) => {
    if (tee) fs.appendFileSync(tee, d);
    if (!ready) out += d.toString();
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line:\n${out}`)), 60_000);
    proc.stdout!.on('data', (d: Buffer) => {
      take(d);
      const m = ready ? null : re.exec(out);
      if (m) {
        ready = true;
        out = '';
        clearTimeout(timer);
        resolve(m);
      }
    });
    proc.stderr!.on('data', take);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}:\n${out}`));
    });
  });
}

/** CPU seconds (user + system) a running process has used, from /proc (Linux, 100 Hz ticks). */
export function processCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds (user + system) the Redis server at `url` has used. */
export async function redisCpuSeconds(url: string): Promise<number> {
  const r = new Redis(url);
  const info = await r.info('cpu');
  r.disconnect();
  const get = (k: string) => Number(new RegExp(`${k}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return get('used_cpu_user') + get('used_cpu_sys');
}

/** Clears Redis's per-command statistics (CONFIG RESETSTAT). */
export async function resetCommandStats(url: string): Promise<void> {
  const r = new Redis(url);
  await r.config('RESETSTAT');
  r.disconnect();
}

/** Redis's calls and microseconds per event, by command (busiest first), since the last reset. */
export async function commandStatsPerEvent(url: string, events: number): Promise<string> {
  const r = new Redis(url);
  const info = await r.info('commandstats');
  r.disconnect();
  const rows = [...info.matchAll(/cmdstat_([^:]+):calls=(\d+),usec=(\d+)/g)].map((m) => ({ cmd: m[1]!, calls: Number(m[2]) / events, usec: Number(m[3]) / events }));
  rows.sort((a, b) => b.usec - a.usec);
  const total = rows.reduce((a, b) => a + b.usec, 0);
  return `  redis per event: ${total.toFixed(0)} µs in commands; ${rows.filter((x) => x.usec >= 1 || x.calls >= 0.5).map((x) => `${x.cmd} ${x.calls.toFixed(2)}× ${x.usec.toFixed(1)} µs`).join(', ')}`;
}
