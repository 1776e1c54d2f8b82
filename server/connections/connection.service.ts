import { randomBytes } from 'node:crypto';
import { checkConnection, type TokenCache } from '../../connectors/spi/connection-auth.ts';
import { openConnection, resealConnection, sealConnection, SecretKeyError } from '../../connectors/spi/connection-crypto.ts';
import { ConnectionInvalidError, MASK, secretFieldsOf, type Connection } from '../../connectors/spi/connection.ts';
import type { HttpClient } from '../../connectors/spi/http-client.ts';
import { FlowbridgeError } from '../../flows/error-codes.ts';
import type { Logger } from '../logging.ts';
import type { SecretKeys } from '../secrets/config-secrets.ts';
import type { ConnectionStore, StoredConnection } from './connection-store.ts';

/** What the API shows of a connection: never a secret. */
export type ConnectionView = Omit<StoredConnection, 'sealed'> & { usedBy: { flowId: string; nodeId: string }[] };

const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const OPEN_CACHE_MS = 5000;

function invalid(err: ConnectionInvalidError): FlowbridgeError {
  return new FlowbridgeError('ERR_VALIDATION', err.message, err.problems.map((p) => ({ path: `connection${p.path.replace(/\//g, '.')}`, message: p.message })));
}

/**
 * Stored credentials: validated against the kind's schema, sealed with AES-256-GCM (bound to
 * the connection id), masked in every answer. Secrets sent back as the mask keep their
 * stored value, so an edit form never wipes them.
 */
export class ConnectionService {
  private readonly opened = new Map<string, { version: number; connection: Connection; at: number }>();

  constructor(
    private readonly store: ConnectionStore,
    private readonly keys: SecretKeys,
    private readonly usage: () => Promise<{ connectionId: string; flowId: string; nodeId: string }[]>,
    private readonly log: Logger,
  ) {}

  private async view(record: StoredConnection, usage?: { connectionId: string; flowId: string; nodeId: string }[]): Promise<ConnectionView> {
    const { sealed: _sealed, ...rest } = record;
    const uses = usage ?? (await this.usage());
    return { ...rest, usedBy: uses.filter((u) => u.connectionId === record.id).map(({ flowId, nodeId }) => ({ flowId, nodeId })) };
  }

  async list(): Promise<ConnectionView[]> {
    const [records, usage] = await Promise.all([this.store.list(), this.usage()]);
    return await Promise.all(records.map((r) => this.view(r, usage)));
  }

  private async record(id: string): Promise<StoredConnection> {
    const r = await this.store.get(id);
    if (!r) throw new FlowbridgeError('ERR_NOT_FOUND', `No connection has the id "${id}"`);
    return r;
  }

  async get(id: string): Promise<ConnectionView> {
    return await this.view(await this.record(id));
  }

  /** `{id?, name, description?, connection: {kind, …}}` → the stored connection (masked). */
  async create(input: unknown): Promise<ConnectionView> {
    const body = (input ?? {}) as { id?: unknown; name?: unknown; description?: unknown; connection?: unknown };
    if (typeof body.name !== 'string' || !body.name.trim()) throw new FlowbridgeError('ERR_VALIDATION', 'A connection needs a "name"', [{ path: 'name' }]);
    const id = body.id === undefined ? `${body.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'connection'}-${randomBytes(3).toString('hex')}` : body.id;
    if (typeof id !== 'string' || !ID.test(id)) throw new FlowbridgeError('ERR_VALIDATION', 'A connection id is 1–64 lower-case letters, digits, "-" or "_"', [{ path: 'id' }]);
    let sealed;
    try {
      sealed = sealConnection(id, body.connection, this.keys.current);
    } catch (err) {
      if (err instanceof ConnectionInvalidError) throw invalid(err);
      throw err;
    }
    const now = new Date().toISOString();
    const record: StoredConnection = { id, name: body.name.trim(), ...(typeof body.description === 'string' ? { description: body.description } : {}), version: 1, createdAt: now, updatedAt: now, ...sealed };
    if (!(await this.store.put(record, true))) throw new FlowbridgeError('ERR_CONFLICT', `A connection with id "${id}" already exists`);
    this.log.info({ connectionId: id, kind: record.kind }, 'connection created');
    return await this.view(record);
  }

  /** Changes name, description and/or credentials; secret fields sent as the mask keep their value. */
  async update(id: string, input: unknown): Promise<ConnectionView> {
    const current = await this.record(id);
    const body = (input ?? {}) as { name?: unknown; description?: unknown; connection?: Record<string, unknown> };
    let sealed = { kind: current.kind, masked: current.masked, sealed: current.sealed };
    if (body.connection !== undefined) {
      const next: Record<string, unknown> = { ...body.connection };
      if (next.kind === current.kind) {
        const previous = this.openRecord(current) as unknown as Record<string, unknown>;
        for (const field of secretFieldsOf(current.kind)) if (next[field] === MASK) next[field] = previous[field];
      }
      try {
        sealed = sealConnection(id, next, this.keys.current);
      } catch (err) {
        if (err instanceof ConnectionInvalidError) throw invalid(err);
        throw err;
      }
    }
    const record: StoredConnection = {
      ...current,
      ...sealed,
      name: typeof body.name === 'string' && body.name.trim() ? body.name.trim() : current.name,
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      version: current.version + 1,
      updatedAt: new Date().toISOString(),
    };
    if (body.connection !== undefined) delete record.health;
    await this.store.put(record);
    this.opened.delete(id);
    return await this.view(record);
  }

  /** Deletes a connection no deployed flow uses. */
  async remove(id: string): Promise<void> {
    await this.record(id);
    const users = (await this.usage()).filter((u) => u.connectionId === id);
    if (users.length) {
      throw new FlowbridgeError('ERR_CONFLICT', `Connection "${id}" is used by ${users.map((u) => `${u.flowId}/${u.nodeId}`).join(', ')}; change those flows first`, users);
    }
    await this.store.remove(id);
    this.opened.delete(id);
  }

  private openRecord(record: StoredConnection): Connection {
    try {
      return openConnection(record.id, record, this.keys.all);
    } catch (err) {
      if (err instanceof SecretKeyError) throw new FlowbridgeError('ERR_UNAVAILABLE', `Connection "${record.id}" cannot be opened with the loaded keys: ${err.message}`);
      throw err;
    }
  }

  /** The decrypted connection, for a worker about to use it (cached for a few seconds). */
  async open(id: string): Promise<Connection> {
    const cached = this.opened.get(id);
    if (cached && Date.now() - cached.at < OPEN_CACHE_MS) return cached.connection;
    const record = await this.record(id);
    const connection = this.openRecord(record);
    this.opened.set(id, { version: record.version, connection, at: Date.now() });
    return connection;
  }

  /** Records a verdict on the credentials (a test, or a 401/403 from a target). */
  async setHealth(id: string, status: 'ok' | 'unhealthy', message: string): Promise<void> {
    const record = await this.store.get(id);
    if (!record) return;
    await this.store.put({ ...record, health: { status, message, at: new Date().toISOString() } });
  }

  /** Tests the credentials on their own (OAuth2 fetches a token); records and returns the verdict. */
  async test(id: string, http: HttpClient, tokens?: TokenCache): Promise<{ ok: boolean; message: string }> {
    const connection = this.openRecord(await this.record(id));
    const result = await checkConnection(connection, { http, tokens, timeoutMs: 10_000 });
    await this.setHealth(id, result.ok ? 'ok' : 'unhealthy', result.message);
    return result;
  }

  /** Re-seals every connection with the current key (after a key rotation); returns how many changed. */
  async reseal(): Promise<number> {
    let changed = 0;
    for (const record of await this.store.list()) {
      const next = resealConnection(record.id, record, this.keys.all, this.keys.current);
      if (next.sealed !== record.sealed) {
        await this.store.put({ ...record, ...next });
        changed++;
      }
    }
    this.opened.clear();
    return changed;
  }
}
