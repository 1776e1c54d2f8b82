import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

// Stored credentials. A connection is declared here once, as JSON Schema per kind: the
// same schema validates what the API receives, draws the editor's form, and marks the
// secret fields `writeOnly` so the API and logs know which values to mask.

export type ConnectionKind = 'basic' | 'api-key' | 'bearer' | 'oauth2-client-credentials' | 'hmac';

export const CONNECTION_KINDS: readonly ConnectionKind[] = ['basic', 'api-key', 'bearer', 'oauth2-client-credentials', 'hmac'];

export interface BasicConnection {
  kind: 'basic';
  username: string;
  password: string;
}

export interface ApiKeyConnection {
  kind: 'api-key';
  /** Where the key goes. */
  in: 'header' | 'query';
  /** Header or query parameter name. */
  name: string;
  key: string;
  /** Written before the key in a header, e.g. "ApiKey ". */
  prefix?: string;
}

export interface BearerConnection {
  kind: 'bearer';
  token: string;
}

export interface OAuth2ClientCredentialsConnection {
  kind: 'oauth2-client-credentials';
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  audience?: string;
  /** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
  clientAuth?: 'basic' | 'body';
}

export interface HmacConnection {
  kind: 'hmac';
  secret: string;
  /** Header that carries the signature (generic HTTP targets). */
  header?: string;
  algorithm?: 'sha256' | 'sha512' | 'sha1';
  encoding?: 'hex' | 'base64';
  /** Written before the digest, e.g. "sha256=". */
  prefix?: string;
  /** When set, the Unix time in seconds goes in this header and the signed text is `<timestamp>.<body>`. */
  timestampHeader?: string;
}

export type Connection = BasicConnection | ApiKeyConnection | BearerConnection | OAuth2ClientCredentialsConnection | HmacConnection;

const HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

/** One JSON Schema per connection kind; secret fields are `writeOnly`. */
export const CONNECTION_SCHEMAS: Readonly<Record<ConnectionKind, Record<string, unknown>>> = {
  basic: {
    type: 'object',
    title: 'Basic authentication',
    description: 'A user name and password, sent as HTTP Basic authentication (or used as the login of SMTP and PostgreSQL).',
    required: ['kind', 'username', 'password'],
    additionalProperties: false,
    properties: {
      kind: { const: 'basic' },
      username: { type: 'string', title: 'User name', minLength: 1, maxLength: 256, examples: ['flowbridge'] },
      password: { type: 'string', title: 'Password', writeOnly: true, minLength: 1, maxLength: 4096, examples: ['s3cret'] },
    },
    examples: [{ kind: 'basic', username: 'flowbridge', password: 's3cret' }],
  },
  'api-key': {
    type: 'object',
    title: 'API key',
    description: 'A static key sent in a header or a query parameter.',
    required: ['kind', 'in', 'name', 'key'],
    additionalProperties: false,
    properties: {
      kind: { const: 'api-key' },
      in: { type: 'string', title: 'Sent in', enum: ['header', 'query'], default: 'header' },
      name: { type: 'string', title: 'Header or parameter name', minLength: 1, maxLength: 256, examples: ['X-Api-Key', 'api_key'] },
      key: { type: 'string', title: 'Key', writeOnly: true, minLength: 1, maxLength: 8192 },
      prefix: { type: 'string', title: 'Prefix', description: 'Written before the key in a header, e.g. "ApiKey ".', maxLength: 64, default: '' },
    },
    examples: [{ kind: 'api-key', in: 'header', name: 'X-Api-Key', key: 'k-123' }],
  },
  bearer: {
    type: 'object',
    title: 'Bearer token',
    description: 'A token sent as `Authorization: Bearer <token>` (e.g. a Slack bot token).',
    required: ['kind', 'token'],
    additionalProperties: false,
    properties: {
      kind: { const: 'bearer' },
      token: { type: 'string', title: 'Token', writeOnly: true, minLength: 1, maxLength: 8192 },
    },
    examples: [{ kind: 'bearer', token: 'xoxb-123' }],
  },
  'oauth2-client-credentials': {
    type: 'object',
    title: 'OAuth 2.0 client credentials',
    description: 'A token fetched from the token endpoint with the client credentials grant, cached until it expires and fetched again when the target answers 401.',
    required: ['kind', 'tokenUrl', 'clientId', 'clientSecret'],
    additionalProperties: false,
    properties: {
      kind: { const: 'oauth2-client-credentials' },
      tokenUrl: { type: 'string', title: 'Token URL', pattern: '^https?://', maxLength: 2048, examples: ['https://auth.example.com/oauth2/token'] },
      clientId: { type: 'string', title: 'Client ID', minLength: 1, maxLength: 1024 },
      clientSecret: { type: 'string', title: 'Client secret', writeOnly: true, minLength: 1, maxLength: 8192 },
      scope: { type: 'string', title: 'Scope', description: 'Space-separated scopes to request.', maxLength: 2048 },
      audience: { type: 'string', title: 'Audience', description: 'Sent as `audience` when set (Auth0 and others).', maxLength: 2048 },
      clientAuth: { type: 'string', title: 'Client authentication', enum: ['basic', 'body'], default: 'basic', description: '`basic`: HTTP Basic with the client id and secret; `body`: both in the form body.' },
    },
    examples: [{ kind: 'oauth2-client-credentials', tokenUrl: 'https://auth.example.com/oauth2/token', clientId: 'flowbridge', clientSecret: 'cs-123', scope: 'employees.write' }],
  },
  hmac: {
    type: 'object',
    title: 'HMAC signing secret',
    description: 'A shared secret the request body is signed with (also the signing secret of DingTalk and Feishu robots).',
    required: ['kind', 'secret'],
    additionalProperties: false,
    properties: {
      kind: { const: 'hmac' },
      secret: { type: 'string', title: 'Secret', writeOnly: true, minLength: 1, maxLength: 8192 },
      header: { type: 'string', title: 'Signature header', pattern: HEADER_NAME, default: 'X-Flowbridge-Signature' },
      algorithm: { type: 'string', title: 'Algorithm', enum: ['sha256', 'sha512', 'sha1'], default: 'sha256' },
      encoding: { type: 'string', title: 'Encoding', enum: ['hex', 'base64'], default: 'hex' },
      prefix: { type: 'string', title: 'Prefix', description: 'Written before the digest, e.g. "sha256=".', maxLength: 64, default: '' },
      timestampHeader: { type: 'string', title: 'Timestamp header', description: 'When set, the Unix time in seconds is sent in this header and `<timestamp>.<body>` is signed.', pattern: HEADER_NAME },
    },
    examples: [{ kind: 'hmac', secret: 'whsec-123', header: 'X-Signature', prefix: 'sha256=' }],
  },
};

/** The schema of any connection: one of the kinds, chosen by `kind`. */
export const CONNECTION_SCHEMA = {
  $id: 'flowbridge:connection',
  title: 'Connection',
  type: 'object',
  required: ['kind'],
  properties: { kind: { type: 'string', enum: [...CONNECTION_KINDS] } },
  oneOf: CONNECTION_KINDS.map((k) => CONNECTION_SCHEMAS[k]),
} as const;

export interface ConnectionProblem {
  path: string;
  message: string;
}

export class ConnectionInvalidError extends Error {
  readonly problems: ConnectionProblem[];
  constructor(problems: ConnectionProblem[]) {
    super(`invalid connection: ${problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ')}`);
    this.name = 'ConnectionInvalidError';
    this.problems = problems;
  }
}

const ajv = new Ajv({ strict: false, allErrors: true, useDefaults: true });
const validators = new Map<ConnectionKind, ValidateFunction>();
for (const k of CONNECTION_KINDS) validators.set(k, ajv.compile(CONNECTION_SCHEMAS[k]));

function isConnectionKind(value: unknown): value is ConnectionKind {
  return typeof value === 'string' && (CONNECTION_KINDS as readonly string[]).includes(value);
}

/** Lists what is wrong with a connection (decrypted form); empty when it is valid. Never throws. */
export function validateConnection(value: unknown): ConnectionProblem[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [{ path: '', message: 'must be an object' }];
  const kind = (value as { kind?: unknown }).kind;
  if (!isConnectionKind(kind)) return [{ path: '/kind', message: `must be one of ${CONNECTION_KINDS.join(', ')}` }];
  const validate = validators.get(kind)!;
  // Validate a copy: useDefaults writes defaults, which only parseConnection should keep.
  if (validate(structuredClone(value))) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => ({ path: e.instancePath, message: e.message ?? 'invalid' }));
}

/** Checks a decrypted connection and fills in its defaults; throws ConnectionInvalidError listing every problem. */
export function parseConnection(value: unknown): Connection {
  const problems = validateConnection(value);
  if (problems.length) throw new ConnectionInvalidError(problems);
  const copy = structuredClone(value) as Connection;
  validators.get(copy.kind)!(copy);
  return copy;
}

/** The names of a kind's secret (`writeOnly`) fields. */
export function secretFieldsOf(kind: ConnectionKind): string[] {
  const props = (CONNECTION_SCHEMAS[kind].properties ?? {}) as Record<string, { writeOnly?: boolean }>;
  return Object.entries(props).filter(([, s]) => s.writeOnly === true).map(([name]) => name);
}

export const MASK = '********';

/** A copy safe to show in API responses and logs: every secret field replaced by `********`. */
export function maskConnection(connection: Connection | Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...connection };
  const kind = out.kind;
  const secrets = isConnectionKind(kind) ? secretFieldsOf(kind) : Object.keys(out).filter((k) => k !== 'kind');
  for (const name of secrets) if (out[name] !== undefined) out[name] = MASK;
  return out;
}
