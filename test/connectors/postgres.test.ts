import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresConnector, type PostgresConfig } from '../../connectors/postgres/postgres.connector.ts';
import { describeConnectorContract } from '../../connectors/spi/contract-kit.ts';
import type { HttpClient } from '../../connectors/spi/http-client.ts';
import { contextFor, createLocalHttpClient, eventInput } from './support/clients.ts';
import { findPostgresBin, freePort, startTestPostgres, type TestPostgres } from './support/postgres.ts';

const bin = findPostgresBin();
if (!bin) console.warn('PostgreSQL is not installed (no initdb/pg_ctl/postgres on PATH or in /usr/lib/postgresql/*/bin): skipping the postgres connector tests. Install Debian\'s postgresql package to run them.');

describe.skipIf(!bin)('with a PostgreSQL cluster', () => {
  let db: TestPostgres;
  let admin: pg.Client;
  let http: HttpClient;
  const login = () => ({ kind: 'basic', username: db.user, password: db.password }) as const;
  const config = (over: Partial<PostgresConfig> = {}): PostgresConfig => ({
    host: db.host,
    port: db.port,
    database: db.database,
    ssl: 'disable',
    table: 'employees',
    mode: 'upsert',
    conflictColumns: ['external_id'],
    columns: { external_id: 'body.id', full_name: 'body.name', updated_at: 'event.time' },
    ...over,
  });
  const rows = async (table = 'employees') => (await admin.query(`SELECT * FROM ${table} ORDER BY 1`)).rows;

  beforeAll(async () => {
    db = await startTestPostgres();
    admin = new pg.Client({ host: db.host, port: db.port, database: db.database, user: db.user, password: db.password });
    await admin.connect();
    await admin.query(`
      CREATE TABLE employees (external_id text PRIMARY KEY, full_name text NOT NULL, updated_at timestamptz, tags jsonb);
      CREATE TABLE audit (key text UNIQUE, id text NOT NULL, payload jsonb);
      CREATE ROLE limited LOGIN PASSWORD 'limited' CONNECTION LIMIT 0;
      GRANT ALL ON employees TO limited;
    `);
    http = createLocalHttpClient();
  });
  afterAll(async () => {
    await postgresConnector.dispose!();
    await http?.close();
    await admin?.end();
    await db?.stop();
  });

  describeConnectorContract('postgres', () => ({
    connector: postgresConnector as never,
    http,
    async arrange(outcome) {
      await admin.query('TRUNCATE employees');
      switch (outcome) {
        case 'ok':
          return { config: config(), connection: login() };
        case 'auth':
          return { config: config(), connection: { kind: 'basic', username: db.user, password: 'wrong' } };
        case 'rate_limited':
          // A role limited to zero connections gets SQLSTATE 53300, as a server at max_connections does.
          return { config: config(), connection: { kind: 'basic', username: 'limited', password: 'limited' } };
        case 'retryable':
          // Nothing listens there: connection refused, as while the server restarts.
          return { config: config({ port: await freePort() }), connection: login() };
        case 'permanent':
          // full_name is NOT NULL: the row is refused (23502) however often it is sent.
          return { config: config(), connection: login(), input: eventInput({ id: 'E-1' }) };
      }
    },
    async assertIdempotent() {
      expect(await rows()).toHaveLength(1);
    },
  }));

  describe('the postgres connector', () => {
    it('upserts a row per event with columns mapped from the output and the event', async () => {
      await admin.query('TRUNCATE employees');
      const ctx = contextFor(http, config(), { connection: login() });
      await postgresConnector.send!(eventInput({ id: 'E-1', name: 'Ada' }, { time: '2026-03-01T09:00:00Z' }), ctx);
      await postgresConnector.send!(eventInput({ id: 'E-1', name: 'Ada Lovelace' }, { time: '2026-03-02T09:00:00Z' }), ctx);
      const all = await rows();
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ external_id: 'E-1', full_name: 'Ada Lovelace' });
      expect((all[0].updated_at as Date).toISOString()).toBe('2026-03-02T09:00:00.000Z');
    });

    it('writes all rows of an array output in one transaction, or none when one fails', async () => {
      await admin.query('TRUNCATE employees');
      const ctx = contextFor(http, config({ mode: 'insert', conflictColumns: undefined }), { connection: login() });
      await postgresConnector.send!(eventInput([{ id: 'E-1', name: 'A' }, { id: 'E-2', name: 'B' }]), ctx);
      expect(await rows()).toHaveLength(2);
      await expect(postgresConnector.send!(eventInput([{ id: 'E-3', name: 'C' }, { id: 'E-4' }]), ctx)).rejects.toMatchObject({ kind: 'permanent' });
      expect((await rows()).map((r) => r.external_id)).toEqual(['E-1', 'E-2']);
    });

    it('uses the output fields as columns when there is no mapping, storing objects as JSON', async () => {
      await admin.query('TRUNCATE employees');
      const ctx = contextFor(http, config({ columns: undefined }), { connection: login() });
      await postgresConnector.send!(eventInput({ external_id: 'E-5', full_name: 'Eve', tags: ['a', 'b'] }), ctx);
      expect((await rows())[0]).toMatchObject({ external_id: 'E-5', tags: ['a', 'b'] });
    });

    it('inserts once per idempotency key when an idempotency key column is set', async () => {
      const c = config({ table: 'audit', mode: 'insert', conflictColumns: undefined, columns: { id: 'body.id', payload: 'body' }, idempotencyKeyColumn: 'key' });
      const ctx = contextFor(http, c, { connection: login(), idempotencyKey: 'delivery-1' });
      await postgresConnector.send!(eventInput({ id: 'E-1' }), ctx);
      const again = await postgresConnector.send!(eventInput({ id: 'E-1' }), ctx);
      expect(again.responseExcerpt).toMatch(/^0 of 1/);
      expect(await rows('audit')).toEqual([{ key: 'delivery-1', id: 'E-1', payload: { id: 'E-1' } }]);
    });

    it('calls a missing table a config error', async () => {
      await expect(postgresConnector.send!(eventInput({ id: 'x', name: 'y' }), contextFor(http, config({ table: 'nope' }), { connection: login() }))).rejects.toMatchObject({ kind: 'config' });
      await expect(postgresConnector.testConnection!(contextFor(http, config({ table: 'nope' }), { connection: login() }))).resolves.toMatchObject({ ok: false, message: expect.stringContaining('does not exist') });
    });

    it('refuses a field name that is not an identifier instead of building SQL from it', async () => {
      const ctx = contextFor(http, config({ columns: undefined }), { connection: login() });
      await expect(postgresConnector.send!(eventInput({ 'external_id"; DROP TABLE employees; --': 'x' }), ctx)).rejects.toMatchObject({ kind: 'permanent' });
      expect(await admin.query('SELECT to_regclass($1) AS t', ['employees'])).toMatchObject({ rows: [{ t: 'employees' }] });
    });
  });
});
