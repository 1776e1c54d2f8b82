import crypto from 'node:crypto';
import pg from 'pg';
import type { BasicConnection } from '../spi/connection.ts';
import type { ConfigProblem, Connector, ConnectorContext, SendInput } from '../spi/connector.ts';
import { DeliveryError, type FailureInfo } from '../spi/failure.ts';
import { resolveAllowedHost } from '../spi/http-client.ts';

export interface PostgresConfig {
  host: string;
  port?: number;
  database: string;
  ssl?: 'disable' | 'require' | 'verify-full';
  schema?: string;
  table: string;
  mode?: 'insert' | 'upsert';
  conflictColumns?: string[];
  columns?: Record<string, string>;
  idempotencyKeyColumn?: string;
}

const IDENTIFIER = '^[A-Za-z_][A-Za-z0-9_]{0,62}$';
const IDENTIFIER_RE = new RegExp(IDENTIFIER);
const SOURCE_PATH = /^(event|body)((?:\.[A-Za-z_$][\w$-]*|\[\d+\])*)$/;

type Row = Record<string, unknown>;

function lookup(value: unknown, path: string): unknown {
  let cur = value;
  for (const m of path.matchAll(/\.([A-Za-z_$][\w$-]*)|\[(\d+)\]/g)) {
    const step = m[1] ?? Number(m[2]);
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, step)) return undefined;
    cur = (cur as Record<string | number, unknown>)[step];
  }
  return cur;
}

// Objects and arrays go in as JSON text (json/jsonb columns cast it); node-postgres
// would otherwise write a JavaScript array as a PostgreSQL array literal.
function toParam(value: unknown): unknown {
  if (value === undefined) return null;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}

/** The rows an event writes: the mapped columns of each output object (an array output is several rows). */
export function mapRows(input: SendInput, config: PostgresConfig, idempotencyKey: string): Row[] {
  const items = Array.isArray(input.body) ? input.body : [input.body];
  return items.map((item, index) => {
    let row: Row;
    if (config.columns) {
      row = {};
      for (const [column, source] of Object.entries(config.columns)) {
        const m = SOURCE_PATH.exec(source)!;
        row[column] = lookup(m[1] === 'event' ? input.event : item, m[2] ?? '');
      }
    } else {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new DeliveryError('the output is not an object: map columns explicitly or produce an object per row', { kind: 'permanent', reason: 'the output cannot be mapped to columns' });
      row = { ...(item as Row) };
      const bad = Object.keys(row).find((k) => !IDENTIFIER_RE.test(k));
      if (bad !== undefined) throw new DeliveryError(`"${bad}" is not a column name`, { kind: 'permanent', reason: 'the output has a field that cannot be a column' });
    }
    if (config.idempotencyKeyColumn) row[config.idempotencyKeyColumn] = items.length > 1 ? `${idempotencyKey}#${index}` : idempotencyKey;
    return row;
  });
}

/** The parameterised statement for one row; identifiers are checked against IDENTIFIER and quoted. */
export function buildStatement(config: PostgresConfig, row: Row): { text: string; values: unknown[] } {
  const q = (id: string) => pg.escapeIdentifier(id);
  const columns = Object.keys(row);
  const table = `${q(config.schema ?? 'public')}.${q(config.table)}`;
  const placeholders = columns.map((_, i) => `$${i + 1}`);
  let text = `INSERT INTO ${table} (${columns.map(q).join(', ')}) VALUES (${placeholders.join(', ')})`;
  if ((config.mode ?? 'insert') === 'upsert') {
    const conflict = config.conflictColumns ?? [];
    const updates = columns.filter((c) => !conflict.includes(c) && c !== config.idempotencyKeyColumn);
    text += ` ON CONFLICT (${conflict.map(q).join(', ')}) DO ${updates.length ? `UPDATE SET ${updates.map((c) => `${q(c)} = EXCLUDED.${q(c)}`).join(', ')}` : 'NOTHING'}`;
  } else if (config.idempotencyKeyColumn) {
    text += ` ON CONFLICT (${q(config.idempotencyKeyColumn)}) DO NOTHING`;
  }
  return { text, values: columns.map((c) => toParam(row[c])) };
}

// SQLSTATE classes and codes (PostgreSQL appendix A) that are not permanent.
const SQLSTATE: readonly [RegExp, FailureInfo][] = [
  [/^28/, { kind: 'auth', reason: 'PostgreSQL rejected the login' }],
  [/^42501$/, { kind: 'auth', reason: 'PostgreSQL: insufficient privilege' }],
  [/^53300$/, { kind: 'rate_limited', reason: 'PostgreSQL: too many connections' }],
  [/^(53|57P0[123]|08|40001|40P01|55P03|58)/, { kind: 'retryable', reason: 'PostgreSQL: temporary failure' }],
  [/^(3D000|3F000|42P01|42703|42P10)$/, { kind: 'config', reason: 'PostgreSQL: the database, schema, table or columns do not match the config' }],
  [/^XX/, { kind: 'retryable', reason: 'PostgreSQL internal error' }],
];

/** Classifies a node-postgres error by its SQLSTATE; a socket error (no SQLSTATE) is retryable; other SQL errors are permanent. */
export function classifyPostgresError(err: unknown): FailureInfo {
  if (err instanceof DeliveryError) return err;
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
    const row = SQLSTATE.find(([re]) => re.test(e.code!));
    if (row) return { ...row[1], reason: `${row[1].reason} (${e.code}: ${message})` };
    return { kind: 'permanent', reason: `PostgreSQL refused the row (${e.code}: ${message})` };
  }
  return { kind: 'retryable', reason: `PostgreSQL connection failed: ${e.code ?? ''} ${message}`.trim() };
}

const pools = new Map<string, pg.Pool>();

async function poolFor(ctx: ConnectorContext<PostgresConfig>): Promise<pg.Pool> {
  const c = ctx.config;
  const login = ctx.connection;
  if (!login) throw new DeliveryError('PostgreSQL needs a basic connection (user and password)', { kind: 'config', reason: 'no connection' });
  if (login.kind !== 'basic') throw new DeliveryError(`PostgreSQL takes a basic connection, not ${login.kind}`, { kind: 'config', reason: 'wrong connection kind' });
  // Connect to the address the private-address policy allowed; keep the name for TLS.
  const address = ctx.http.resolveHost ? await ctx.http.resolveHost(c.host) : await resolveAllowedHost(c.host);
  const ssl = c.ssl ?? 'require';
  const key = crypto.createHash('sha256').update(JSON.stringify([address, c.host, c.port ?? 5432, c.database, ssl, login.username, login.password])).digest('hex');
  let pool = pools.get(key);
  if (!pool) {
    pool = createPool(c, address, ssl, login, ctx.timeoutMs);
    pools.set(key, pool);
  }
  return pool;
}

function createPool(c: PostgresConfig, address: string, ssl: string, login: BasicConnection, timeoutMs: number): pg.Pool {
  const pool = new pg.Pool({
    host: address,
    port: c.port ?? 5432,
    database: c.database,
    user: login.username,
    password: login.password,
    ssl: ssl === 'disable' ? false : { servername: c.host, rejectUnauthorized: ssl === 'verify-full' },
    max: 4,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    application_name: 'flowbridge',
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** A row per event into a PostgreSQL table (a CQRS read model): insert or upsert, all rows of an event in one transaction. */
export const postgresConnector: Connector<PostgresConfig> = {
  id: 'postgres',
  version: '1.0.0',
  title: 'PostgreSQL',
  summary: 'Inserts or upserts a row per event into a PostgreSQL table, with columns mapped from the transform, in one transaction.',
  category: 'database',
  icon: '🐘',
  connectionKinds: ['basic'],
  connectionRequired: true,
  configSchema: {
    type: 'object',
    required: ['host', 'database', 'table'],
    additionalProperties: false,
    properties: {
      host: { type: 'string', title: 'Host', minLength: 1, maxLength: 255, examples: ['db.example.com'] },
      port: { type: 'integer', title: 'Port', minimum: 1, maximum: 65535, default: 5432 },
      database: { type: 'string', title: 'Database', minLength: 1, maxLength: 63, examples: ['readmodels'] },
      ssl: { type: 'string', title: 'TLS', enum: ['disable', 'require', 'verify-full'], default: 'require', description: '`require`: encrypt without checking the certificate; `verify-full`: check it against the host name.' },
      schema: { type: 'string', title: 'Schema', pattern: IDENTIFIER, default: 'public' },
      table: { type: 'string', title: 'Table', pattern: IDENTIFIER, examples: ['employees'] },
      mode: { type: 'string', title: 'Mode', enum: ['insert', 'upsert'], default: 'insert', description: '`upsert`: INSERT … ON CONFLICT (conflict columns) DO UPDATE.' },
      conflictColumns: { type: 'array', title: 'Conflict columns', description: 'The unique key an upsert matches on.', items: { type: 'string', pattern: IDENTIFIER }, minItems: 1, maxItems: 16, examples: [['external_id']] },
      columns: {
        type: 'object',
        title: 'Column mapping',
        description: 'Column → where its value comes from: `body.<path>` (the transform\'s output, per row) or `event.<path>` (the event). When absent, the output object\'s fields are the columns.',
        propertyNames: { pattern: IDENTIFIER },
        additionalProperties: { type: 'string', pattern: '^(event|body)((\\.[A-Za-z_$][\\w$-]*)|(\\[\\d+\\]))*$', maxLength: 512 },
        examples: [{ external_id: 'body.externalId', full_name: 'body.name', updated_at: 'event.time' }],
      },
      idempotencyKeyColumn: { type: 'string', title: 'Idempotency key column', pattern: IDENTIFIER, description: 'A unique column that stores the delivery\'s idempotency key; a repeated insert then does nothing.' },
    },
    allOf: [{ if: { properties: { mode: { const: 'upsert' } }, required: ['mode'] }, then: { required: ['conflictColumns'] } }],
    examples: [
      { host: 'db.example.com', database: 'readmodels', table: 'employees', mode: 'upsert', conflictColumns: ['external_id'], columns: { external_id: 'body.externalId', full_name: 'body.name', updated_at: 'event.time' } },
    ],
  },

  validateConfig(config) {
    if (typeof config !== 'object' || config === null) return [{ path: '', code: 'ERR_CONNECTOR_CONFIG', message: 'config must be an object' }];
    const problems: ConfigProblem[] = [];
    const mapped = config.columns ? Object.keys(config.columns) : undefined;
    if (mapped && config.mode === 'upsert') {
      for (const [i, c] of (config.conflictColumns ?? []).entries()) {
        if (!mapped.includes(c)) problems.push({ path: `/conflictColumns/${i}`, code: 'ERR_CONNECTOR_CONFIG', message: `conflict column "${c}" is not in the column mapping` });
      }
    }
    return problems;
  },

  async send(input, ctx) {
    const rows = mapRows(input, ctx.config, ctx.idempotencyKey);
    let client: pg.PoolClient | undefined;
    try {
      client = await (await poolFor(ctx)).connect();
      await client.query('BEGIN');
      let written = 0;
      for (const row of rows) written += (await client.query(buildStatement(ctx.config, row))).rowCount ?? 0;
      await client.query('COMMIT');
      return { responseExcerpt: `${written} of ${rows.length} row(s) written to ${ctx.config.schema ?? 'public'}.${ctx.config.table}` };
    } catch (err) {
      await client?.query('ROLLBACK').catch(() => undefined);
      const info = classifyPostgresError(err);
      throw err instanceof DeliveryError ? err : new DeliveryError(info.reason, info);
    } finally {
      client?.release();
    }
  },

  async testConnection(ctx) {
    try {
      const c = ctx.config as Partial<PostgresConfig> | null;
      if (!c || typeof c.host !== 'string' || !c.host || typeof c.table !== 'string') return { ok: false, message: 'host, database and table are needed' };
      const pool = await poolFor(ctx as ConnectorContext<PostgresConfig>);
      const name = `${pg.escapeIdentifier(c.schema ?? 'public')}.${pg.escapeIdentifier(c.table)}`;
      const res = await pool.query<{ t: string | null; ok: boolean | null }>('SELECT to_regclass($1)::text AS t, CASE WHEN to_regclass($1) IS NULL THEN NULL ELSE has_table_privilege(to_regclass($1), \'INSERT\') END AS ok', [name]);
      const row = res.rows[0];
      if (!row?.t) return { ok: false, message: `table ${name} does not exist` };
      if (!row.ok) return { ok: false, message: `the user may not insert into ${name}` };
      return { ok: true, message: `connected; ${name} exists and accepts inserts` };
    } catch (err) {
      return { ok: false, message: classifyPostgresError(err).reason };
    }
  },

  async dispose() {
    const all = [...pools.values()];
    pools.clear();
    await Promise.all(all.map((p) => p.end().catch(() => undefined)));
  },
};
