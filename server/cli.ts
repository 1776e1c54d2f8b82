import fs from 'node:fs';
import readline from 'node:readline';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logging.ts';
import { startRuntime, type Roles } from './runtime/runtime.ts';
import { testPattern, testTransform, type Answer } from './services/playground.ts';

const HELP = `flowbridge — a self-hosted event bus with a visual flow editor

Usage:
  flowbridge start   [--port N] [--host H] [--data-dir DIR] [--redis-url URL]
                       API, router and delivery workers in one process. Without a Redis URL
                       (REDIS_URL), runs its own redis-server with its data in DIR/redis.
  flowbridge api     [same flags]   only the HTTP API and ingest
  flowbridge worker  [same flags]   only the router and the delivery workers

  flowbridge flows list
  flowbridge flows import FILE [--deploy]   create or update the flow in FILE (JSON)
  flowbridge flows export ID [--out FILE]
  flowbridge flows deploy ID [--version N]
  flowbridge flows validate FILE            every problem, without saving
      (these talk to a running flowbridge: --url or FLOWBRIDGE_URL, default http://127.0.0.1:8080;
       --token or FLOWBRIDGE_TOKEN / FLOWBRIDGE_ADMIN_TOKEN)

  flowbridge pattern test --pattern FILE --event FILE
  flowbridge pattern test < lines.jsonl      one {"pattern","event"} per line
  flowbridge transform test --transform FILE --event FILE
  flowbridge transform test < lines.jsonl    one {"transform","event"} per line
      (no server or Redis needed; prints the API's JSON, one line per input line)

Environment: PORT, HOST, FLOWBRIDGE_DATA_DIR, REDIS_URL, FLOWBRIDGE_ADMIN_TOKEN,
FLOWBRIDGE_ALLOW_PRIVATE_TARGETS (CIDR list), FLOWBRIDGE_DELIVERY_CONCURRENCY, FLOWBRIDGE_LOG_LEVEL.
`;

class UsageError extends Error {}

function parseArgs(argv: string[]): { positional: string[]; flags: Record<string, string | undefined> } {
  const positional: string[] = [];
  const flags: Record<string, string | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq !== -1) flags[a.slice(2, eq)] = a.slice(eq + 1);
      else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) flags[a.slice(2)] = argv[++i];
      else flags[a.slice(2)] = 'true';
    } else positional.push(a);
  }
  return { positional, flags };
}

function readJsonFile(file: string | undefined, what: string): unknown {
  if (!file) throw new UsageError(`--${what} FILE is required`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} file "${file}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${what} file "${file}" is not valid JSON: ${(err as Error).message}`);
  }
}

async function serve(roles: Roles, flags: Record<string, string | undefined>): Promise<number> {
  const config = loadConfig(flags);
  const log = createLogger(config.logLevel);
  const runtime = await startRuntime({ config, roles, logger: log });
  if (runtime.createdAdminToken) {
    process.stdout.write(`admin token (shown this once; keep it, use it as "Authorization: Bearer <token>"): ${runtime.createdAdminToken}\n`);
  }
  if (runtime.url) process.stdout.write(`flowbridge listening on ${runtime.url}\n`);
  else process.stdout.write(`flowbridge ${roles.router ? 'worker' : 'process'} running (redis ${runtime.redisUrl})\n`);
  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down: draining in-flight work');
      runtime.stop().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

async function api(method: string, path: string, flags: Record<string, string | undefined>, body?: unknown): Promise<{ status: number; json: unknown }> {
  const base = (flags.url ?? process.env.FLOWBRIDGE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const token = flags.token ?? process.env.FLOWBRIDGE_TOKEN ?? process.env.FLOWBRIDGE_ADMIN_TOKEN;
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new UsageError(`cannot reach flowbridge at ${base}: ${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message}`);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { raw: text };
  }
  return { status: res.status, json };
}

function printApiError(status: number, json: unknown): number {
  const e = (json as { error?: { code: string; message: string; details?: { path?: string; message?: string }[] } })?.error;
  if (e) {
    process.stderr.write(`error ${status} ${e.code}: ${e.message}\n`);
    for (const d of e.details ?? []) if (d.message) process.stderr.write(`  - ${d.path ? `${d.path}: ` : ''}${d.message}\n`);
  } else process.stderr.write(`error ${status}\n`);
  return 1;
}

async function flowsCommand(positional: string[], flags: Record<string, string | undefined>): Promise<number> {
  const sub = positional[0];
  if (sub === 'list') {
    const r = await api('GET', '/flows', flags);
    if (r.status !== 200) return printApiError(r.status, r.json);
    for (const f of (r.json as { items: { id: string; name: string; version: number; deployedVersion?: number }[] }).items) {
      process.stdout.write(`${f.id}\tv${f.version}\t${f.deployedVersion ? `deployed v${f.deployedVersion}` : 'draft'}\t${f.name}\n`);
    }
    return 0;
  }
  if (sub === 'import' || sub === 'validate') {
    const doc = readJsonFile(positional[1], 'flow') as { id?: string; version?: number };
    if (sub === 'validate') {
      const r = await api('POST', '/flows/validate', flags, doc);
      if (r.status !== 200) return printApiError(r.status, r.json);
      const problems = (r.json as { problems: { path: string; code: string; message: string }[] }).problems;
      for (const p of problems) process.stdout.write(`${p.code}\t${p.path}\t${p.message}\n`);
      process.stdout.write(problems.length ? `${problems.length} problem(s)\n` : 'valid\n');
      return problems.length ? 1 : 0;
    }
    let r = doc.id ? await api('GET', `/flows/${encodeURIComponent(doc.id)}`, flags) : { status: 404, json: null };
    if (r.status === 200) {
      const current = (r.json as { version: number }).version;
      r = await api('PUT', `/flows/${encodeURIComponent(doc.id!)}`, flags, { ...doc, version: current });
    } else if (r.status === 404) {
      r = await api('POST', '/flows', flags, doc);
    }
    if (r.status !== 200 && r.status !== 201) return printApiError(r.status, r.json);
    const saved = r.json as { id: string; version: number; problems: unknown[] };
    process.stdout.write(`saved flow ${saved.id} version ${saved.version}${saved.problems.length ? ` (${saved.problems.length} problem(s) to fix before deploying)` : ''}\n`);
    if (flags.deploy === 'true') return await flowsCommand(['deploy', saved.id], flags);
    return 0;
  }
  if (sub === 'export') {
    if (!positional[1]) throw new UsageError('flows export ID');
    const r = await api('GET', `/flows/${encodeURIComponent(positional[1])}`, flags);
    if (r.status !== 200) return printApiError(r.status, r.json);
    const text = `${JSON.stringify((r.json as { doc: unknown }).doc, null, 2)}\n`;
    if (flags.out) fs.writeFileSync(flags.out, text);
    else process.stdout.write(text);
    return 0;
  }
  if (sub === 'deploy') {
    if (!positional[1]) throw new UsageError('flows deploy ID');
    const body = flags.version ? { version: Number(flags.version) } : {};
    const r = await api('POST', `/flows/${encodeURIComponent(positional[1])}/deploy`, flags, body);
    if (r.status !== 200) return printApiError(r.status, r.json);
    const d = r.json as { flowId: string; version: number; rules: number; webhookSources: string[] };
    process.stdout.write(`deployed ${d.flowId} version ${d.version}: ${d.rules} rule(s)${d.webhookSources.length ? `, webhooks: ${d.webhookSources.map((s) => `/webhooks/${s}`).join(', ')}` : ''}\n`);
    return 0;
  }
  throw new UsageError('flows list | import FILE [--deploy] | export ID [--out FILE] | deploy ID [--version N] | validate FILE');
}

async function playgroundCommand(kind: 'pattern' | 'transform', flags: Record<string, string | undefined>): Promise<number> {
  const run = async (input: unknown): Promise<Answer> => (kind === 'pattern' ? testPattern(input) : await testTransform(input));
  if (flags[kind] || flags.event) {
    const a = await run({ [kind]: readJsonFile(flags[kind], kind), event: readJsonFile(flags.event, 'event') });
    process.stdout.write(`${JSON.stringify(a.body)}\n`);
    return a.status === 200 ? 0 : 1;
  }
  if (process.stdin.isTTY) throw new UsageError(`${kind} test needs --${kind} FILE --event FILE, or JSON Lines on stdin`);
  let failures = 0;
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    let input: unknown;
    try {
      input = JSON.parse(line);
    } catch (err) {
      failures++;
      process.stdout.write(`${JSON.stringify({ error: { code: 'ERR_BODY_INVALID_JSON', message: `line is not valid JSON: ${(err as Error).message}`, details: [] } })}\n`);
      continue;
    }
    const a = await run(input);
    if (a.status !== 200) failures++;
    process.stdout.write(`${JSON.stringify(a.body)}\n`);
  }
  return failures ? 1 : 0;
}

/** Runs the CLI; resolves to the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv);
  const [command, ...rest] = positional;
  try {
    switch (command) {
      case 'start':
        return await serve({ api: true, router: true, worker: true }, flags);
      case 'api':
        return await serve({ api: true, router: false, worker: false }, flags);
      case 'worker':
        return await serve({ api: false, router: true, worker: true }, flags);
      case 'flows':
        return await flowsCommand(rest, flags);
      case 'pattern':
      case 'transform':
        if (rest[0] !== 'test') throw new UsageError(`${command} test …`);
        return await playgroundCommand(command, flags);
      case undefined:
      case 'help':
        process.stdout.write(HELP);
        return command ? 0 : 2;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`flowbridge: ${err.message}\n${err instanceof UsageError ? 'Run "flowbridge help" for usage.\n' : ''}`);
      return 2;
    }
    process.stderr.write(`flowbridge: ${(err as Error).message}\n`);
    return 1;
  }
}
