// The contract every connector passes, run from the test suite: declaration checks that
// need nothing (schema, examples, secrets), and behaviour checks against the connector's
// own local fake (classification of 401/429/503/400, testConnection, idempotency).
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { CONNECTION_KINDS, type Connection } from './connection.ts';
import type { Connector, ConnectorContext, PollContext, SendInput } from './connector.ts';
import { DeliveryError, type FailureKind } from './failure.ts';
import type { HttpClient } from './http-client.ts';

// Property names that hold secrets; each must be `writeOnly` so the API masks it.
const SECRET_NAME = /(secret|password|passwd|token|api[-_]?key|webhook[-_]?url|private[-_]?key|credential)/i;
// ... unless the name says it is where a secret goes, not the secret (`tokenPath`, `tokenParam`).
const NOT_SECRET = /(Path|Param|Header|Column|Kind|Type)$/;

type Schema = Record<string, unknown>;

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every subschema with its JSON Pointer, the root first. */
function walkSchemas(schema: Schema, at = '#'): [string, Schema][] {
  const out: [string, Schema][] = [[at, schema]];
  const props = schema.properties;
  if (isSchema(props)) for (const [k, v] of Object.entries(props)) if (isSchema(v)) out.push(...walkSchemas(v, `${at}/properties/${k}`));
  for (const key of ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames']) {
    const v = schema[key];
    if (isSchema(v)) out.push(...walkSchemas(v, `${at}/${key}`));
  }
  for (const key of ['oneOf', 'anyOf', 'allOf']) {
    const v = schema[key];
    if (Array.isArray(v)) v.forEach((s, i) => isSchema(s) && out.push(...walkSchemas(s, `${at}/${key}/${i}`)));
  }
  for (const key of ['definitions', '$defs']) {
    const v = schema[key];
    if (isSchema(v)) for (const [k, s] of Object.entries(v)) if (isSchema(s)) out.push(...walkSchemas(s, `${at}/${key}/${k}`));
  }
  return out;
}

/** Lists what is wrong with a connector's declaration (empty when nothing); needs no network. */
export function checkDeclaration(connector: Connector<never, never>): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(connector.id)) problems.push(`id "${connector.id}" is not lower kebab case`);
  if (!/^\d+\.\d+\.\d+/.test(connector.version)) problems.push(`version "${connector.version}" is not semver`);
  if (!connector.title.trim() || !connector.summary.trim() || !connector.category.trim()) problems.push('title, summary and category must not be empty');
  if (!connector.send && !connector.poll) problems.push('implements neither send nor poll');
  for (const k of connector.connectionKinds) if (!CONNECTION_KINDS.includes(k)) problems.push(`unknown connection kind "${k}"`);
  if (connector.connectionRequired && connector.connectionKinds.length === 0) problems.push('requires a connection but accepts no kind');

  const schema = connector.configSchema as Schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  let validateRoot: ((v: unknown) => boolean) | undefined;
  try {
    validateRoot = ajv.compile(schema);
  } catch (err) {
    problems.push(`config schema does not compile: ${err instanceof Error ? err.message : String(err)}`);
    return problems;
  }
  if (schema.type !== 'object') problems.push('config schema must be an object schema');
  const rootExamples = schema.examples;
  if (!Array.isArray(rootExamples) || rootExamples.length === 0) problems.push('config schema needs at least one complete example config in `examples`');
  else rootExamples.forEach((ex, i) => !validateRoot!(ex) && problems.push(`examples[${i}] does not validate: ${ajv.errorsText(ajv.errors)}`));

  for (const [at, sub] of walkSchemas(schema)) {
    // Conditions (`if`, `not`, `contains`) describe values, they do not declare objects.
    const conditional = /\/(if|not|contains)(\/|$)/.test(at);
    if (!conditional && isSchema(sub.properties) && sub.additionalProperties !== false) problems.push(`${at}: an object with properties must say additionalProperties: false`);
    if (isSchema(sub.properties)) {
      for (const [name, prop] of Object.entries(sub.properties)) {
        if (!isSchema(prop)) continue;
        if (at === '#' && typeof prop.title !== 'string') problems.push(`${at}/properties/${name}: needs a title`);
        if (SECRET_NAME.test(name) && !NOT_SECRET.test(name) && prop.writeOnly !== true) problems.push(`${at}/properties/${name}: a secret field must be writeOnly`);
      }
    }
    if (at === '#') continue;
    let validateSub: ((v: unknown) => boolean) | undefined;
    try {
      validateSub = new Ajv({ strict: false }).compile(sub);
    } catch {
      continue; // a subschema with a $ref into the root; the root compiled, which is what counts
    }
    if (Array.isArray(sub.examples)) sub.examples.forEach((ex, i) => !validateSub!(ex) && problems.push(`${at}: examples[${i}] does not validate`));
    if (sub.default !== undefined && !validateSub(sub.default)) problems.push(`${at}: default does not validate`);
  }
  return problems;
}

export type ExpectedFailure = Exclude<FailureKind, 'config'>;

/** One arrangement of the connector's fake: the config (and connection, input) to use against it. */
export interface ContractScenario {
  config: unknown;
  connection?: Connection;
  input?: SendInput;
  /** Sources: the cursor to poll from. */
  cursor?: unknown;
}

export interface ContractHarness {
  connector: Connector<never, never>;
  /** A client allowed to reach the fake on 127.0.0.1. */
  http: HttpClient;
  /** Prepares the fake so the next call succeeds (`ok`) or fails the way a real service does for that kind. */
  arrange(outcome: 'ok' | ExpectedFailure): Promise<ContractScenario>;
  /**
   * Targets: called after the same input was sent twice with `key`; asserts it was safe
   * (one effect, or both requests carrying what the service deduplicates on).
   */
  assertIdempotent?(key: string): Promise<void>;
}

/** A client for the garbage-config checks: every call fails like an unreachable network, so no check leaves the machine. */
function createOfflineHttpClient(): HttpClient {
  const fail = () => Promise.reject(new DeliveryError('network disabled in the contract kit', { kind: 'retryable', reason: 'network error' }));
  return { request: fail, send: fail, close: () => Promise.resolve(), resolveHost: fail };
}

const GARBAGE_CONFIGS: unknown[] = [undefined, null, {}, { url: 42 }, 'text', [1, 2], { webhookUrl: 'not a url', host: '', cron: '61 * * * *', table: 'x;drop' }];

function targetContext(s: ContractScenario, http: HttpClient, key: string): ConnectorContext<never> {
  return { config: s.config as never, connection: s.connection, idempotencyKey: key, attempt: 1, signal: new AbortController().signal, timeoutMs: 5000, http };
}

function pollContext(s: ContractScenario, http: HttpClient): PollContext<never> {
  return { config: s.config as never, connection: s.connection, now: new Date('2026-03-01T09:00:00Z'), signal: new AbortController().signal, timeoutMs: 5000, http };
}

const SAMPLE_INPUT: SendInput = {
  body: { id: 'E-1001', name: 'Ada Lovelace', text: 'Ada Lovelace joined' },
  output: 'json',
  event: { specversion: '1.0', id: 'evt-1', source: 'erp://hr', type: 'hr.employee.created', time: '2026-03-01T09:00:00Z', datacontenttype: 'application/json', data: { id: 'E-1001', name: 'Ada Lovelace' } },
};

async function invoke(h: ContractHarness, s: ContractScenario, key: string): Promise<unknown> {
  const c = h.connector;
  if (c.send) return c.send(s.input ?? SAMPLE_INPUT, targetContext(s, h.http, key));
  return c.poll!(pollContext(s, h.http), s.cursor as never);
}

export interface ContractOptions {
  /** The failure kinds the connector's service can produce; all four unless it calls no service (a schedule). */
  classifies?: readonly ExpectedFailure[];
}

const ALL_FAILURES: [string, ExpectedFailure][] = [
  ['rejected credentials (401)', 'auth'],
  ['rate limiting (429)', 'rate_limited'],
  ['an unavailable service (503)', 'retryable'],
  ['a rejected request (400)', 'permanent'],
];

/** Registers the contract's tests for one connector; `harness` is read inside the tests (after beforeAll started the fake). */
export function describeConnectorContract(name: string, harness: () => ContractHarness, options: ContractOptions = {}): void {
  const classifies = options.classifies ?? ALL_FAILURES.map(([, k]) => k);
  const failures = ALL_FAILURES.filter(([, k]) => classifies.includes(k));
  describe(`the ${name} connector contract`, () => {
    it('has a declaration whose schema compiles, whose examples validate and whose secrets are write-only', () => {
      expect(checkDeclaration(harness().connector)).toEqual([]);
    });

    it('never throws from testConnection or validateConfig, whatever the config', async () => {
      const c = harness().connector;
      const offline = createOfflineHttpClient();
      for (const config of GARBAGE_CONFIGS) {
        if (c.testConnection) {
          const check = await c.testConnection(targetContext({ config }, offline, 'k'));
          expect(check.ok).toBe(false);
          expect(typeof check.message).toBe('string');
        }
        if (c.validateConfig) expect(Array.isArray(c.validateConfig(config as never))).toBe(true);
      }
    });

    it('reports a working configuration as reachable', async () => {
      const h = harness();
      expect(h.connector.testConnection).toBeTypeOf('function');
      const ok = await h.connector.testConnection!(targetContext(await h.arrange('ok'), h.http, 'k'));
      expect(ok).toMatchObject({ ok: true });
    });

    if (classifies.includes('auth')) {
      it('reports rejected credentials as not reachable, without throwing', async () => {
        const h = harness();
        const denied = await h.connector.testConnection!(targetContext(await h.arrange('auth'), h.http, 'k'));
        expect(denied.ok).toBe(false);
      });
    }

    if (failures.length) it.each(failures)('classifies %s as %s', async (_label, kind) => {
      const h = harness();
      const err = await invoke(h, await h.arrange(kind), `contract-${kind}`).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DeliveryError);
      expect((err as DeliveryError).kind).toBe(kind);
    });

    it('is safe when the same idempotency key is delivered twice', async () => {
      const h = harness();
      const key = `contract-idem-${Date.now()}`;
      if (h.connector.send) {
        const s = await h.arrange('ok');
        await invoke(h, s, key);
        await invoke(h, s, key);
        expect(h.assertIdempotent).toBeTypeOf('function');
        await h.assertIdempotent!(key);
      } else {
        // A source polled twice from the same cursor yields the same event ids, so the ingest deduplicates them.
        const s = await h.arrange('ok');
        const a = (await invoke(h, s, key)) as { events: { id: string }[] };
        const b = (await invoke(h, await h.arrange('ok'), key)) as { events: { id: string }[] };
        expect(a.events.length).toBeGreaterThan(0);
        expect(b.events.map((e) => e.id)).toEqual(a.events.map((e) => e.id));
      }
    });
  });
}
