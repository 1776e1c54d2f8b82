// How a webhook source authenticates its requests, declared once: the TypeScript types, the
// JSON Schema that the API validates with and the editor draws its form from, and the checks
// a schema cannot express (secrets that decode, CIDR blocks that parse, templates that sign
// the body).

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Problem } from '../../../flows/error-codes.ts';
import { parseCidr } from './cidr.ts';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> …`. */
export interface StandardWebhooksAuth {
  kind: 'standard-webhooks';
  /** `whsec_` followed by the base64 key; several while rotating. */
  secrets: string[];
  toleranceSeconds?: number;
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`. */
export interface GithubAuth {
  kind: 'github';
  secrets: string[];
}

/** Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">[,v1=…]`. */
export interface StripeAuth {
  kind: 'stripe';
  /** Endpoint signing secrets (`whsec_…`), used as they are. */
  secrets: string[];
  toleranceSeconds?: number;
}

/** Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:ts:body">`, `X-Slack-Request-Timestamp`. */
export interface SlackAuth {
  kind: 'slack';
  secrets: string[];
  toleranceSeconds?: number;
}

/** What a generic HMAC signs: the raw body, or a template of `{body}`, `{header:Name}` and `{query:name}`. */
export type HmacSigned = 'body' | { template: string };

/** A provider-specific HMAC scheme, described by its parts. */
export interface HmacAuth {
  kind: 'hmac';
  /** The header carrying the signature. */
  header: string;
  algorithm: HmacAlgorithm;
  encoding: 'hex' | 'base64';
  /** Text before the signature in the header value, e.g. `sha256=`. */
  prefix?: string;
  signed: HmacSigned;
  /** A header with the signing time in Unix seconds, checked against a tolerance. */
  timestamp?: { header: string; toleranceSeconds?: number };
  /** How the secret strings become key bytes; default utf8 (the string as is). */
  secretEncoding?: 'utf8' | 'hex' | 'base64';
  secrets: string[];
}

/** A shared token, in a header (optionally after a prefix such as `Bearer `) or a query parameter. */
export interface TokenAuth {
  kind: 'token';
  in: 'header' | 'query';
  name: string;
  prefix?: string;
  tokens: string[];
}

/** Only requests from these addresses or CIDR blocks (IPv4 and IPv6). */
export interface IpAllowAuth {
  kind: 'ip-allow';
  cidrs: string[];
}

export type WebhookAuth = StandardWebhooksAuth | GithubAuth | StripeAuth | SlackAuth | HmacAuth | TokenAuth | IpAllowAuth;
export type WebhookAuthKind = WebhookAuth['kind'];

/** Default timestamp tolerance of the schemes that sign a timestamp. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
const STANDARD_WEBHOOKS_SECRET = '^(whsec_)?(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$';

const secrets = (description: string, examples: string[]): Record<string, unknown> => ({
  title: 'Secrets',
  description: `${description} List several while rotating: a request passes when any one matches.`,
  type: 'array',
  minItems: 1,
  maxItems: 10,
  items: { type: 'string', minLength: 1, maxLength: 1024 },
  writeOnly: true,
  examples: [examples],
});

const tolerance = {
  title: 'Timestamp tolerance (seconds)',
  description: 'How far the signed timestamp may be from the current time, either way, before the request is refused as a possible replay.',
  type: 'integer',
  minimum: 1,
  maximum: 86400,
  default: DEFAULT_TOLERANCE_SECONDS,
};

const headerName = (title: string, description: string, example: string): Record<string, unknown> => ({
  title,
  description,
  type: 'string',
  pattern: HEADER_NAME,
  maxLength: 256,
  examples: [example],
});

const kind = (value: WebhookAuthKind, title: string, description: string): Record<string, unknown> => ({
  title,
  description,
  const: value,
});

/** JSON Schema (draft-07, for ajv) of one WebhookAuth; secret fields are `writeOnly`. */
export const WEBHOOK_AUTH_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://flowbridge.dev/schemas/webhook-auth.json',
  title: 'Webhook authentication check',
  description: 'One check a webhook request must pass. A source lists several; all must pass.',
  type: 'object',
  required: ['kind'],
  properties: {
    kind: { type: 'string', enum: ['standard-webhooks', 'github', 'stripe', 'slack', 'hmac', 'token', 'ip-allow'] },
  },
  oneOf: [
    {
      title: 'Standard Webhooks',
      type: 'object',
      required: ['kind', 'secrets'],
      additionalProperties: false,
      properties: {
        kind: kind('standard-webhooks', 'Standard Webhooks', 'webhook-id, webhook-timestamp and webhook-signature headers (standardwebhooks.com), as sent by Svix and others.'),
        secrets: {
          ...secrets('Signing secrets: whsec_ followed by the base64 key.', ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw']),
          items: { type: 'string', pattern: STANDARD_WEBHOOKS_SECRET, minLength: 8, maxLength: 1024 },
        },
        toleranceSeconds: tolerance,
      },
    },
    {
      title: 'GitHub',
      type: 'object',
      required: ['kind', 'secrets'],
      additionalProperties: false,
      properties: {
        kind: kind('github', 'GitHub', 'X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>.'),
        secrets: secrets('The webhook secrets set in the repository or organization settings.', ["It's a Secret to Everybody"]),
      },
    },
    {
      title: 'Stripe',
      type: 'object',
      required: ['kind', 'secrets'],
      additionalProperties: false,
      properties: {
        kind: kind('stripe', 'Stripe', 'Stripe-Signature: t=<timestamp>,v1=<hex HMAC-SHA256 of "timestamp.body">.'),
        secrets: secrets("The endpoint's signing secrets (whsec_…), used as they are.", ['whsec_test_secret']),
        toleranceSeconds: tolerance,
      },
    },
    {
      title: 'Slack',
      type: 'object',
      required: ['kind', 'secrets'],
      additionalProperties: false,
      properties: {
        kind: kind('slack', 'Slack', 'X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:timestamp:body">, with X-Slack-Request-Timestamp.'),
        secrets: secrets("The app's signing secrets.", ['8f742231b10e8888abcd99yyyzzz85a5']),
        toleranceSeconds: tolerance,
      },
    },
    {
      title: 'Generic HMAC',
      type: 'object',
      required: ['kind', 'header', 'algorithm', 'encoding', 'signed', 'secrets'],
      additionalProperties: false,
      properties: {
        kind: kind('hmac', 'Generic HMAC', 'Any provider that signs with an HMAC: name the header, the algorithm, the encoding and what is signed.'),
        header: headerName('Signature header', 'The header that carries the signature.', 'X-Signature'),
        algorithm: { title: 'Algorithm', type: 'string', enum: ['sha1', 'sha256', 'sha512'], default: 'sha256' },
        encoding: { title: 'Signature encoding', type: 'string', enum: ['hex', 'base64'], default: 'hex' },
        prefix: {
          title: 'Prefix',
          description: 'Text before the signature in the header value.',
          type: 'string',
          maxLength: 64,
          examples: ['sha256='],
        },
        signed: {
          title: 'Signed content',
          description:
            '"body" for the raw body, or a template: {body} is the raw body, {header:Name} a header value, {query:name} a query parameter; the template must contain {body}.',
          default: 'body',
          oneOf: [
            { type: 'string', const: 'body' },
            {
              type: 'object',
              required: ['template'],
              additionalProperties: false,
              properties: { template: { type: 'string', minLength: 6, maxLength: 1024, examples: ['v0:{header:X-Request-Timestamp}:{body}'] } },
            },
          ],
        },
        timestamp: {
          title: 'Timestamp',
          description: 'A header holding the signing time in Unix seconds; the request is refused when it is outside the tolerance.',
          type: 'object',
          required: ['header'],
          additionalProperties: false,
          properties: {
            header: headerName('Timestamp header', 'The header with the Unix time in seconds.', 'X-Request-Timestamp'),
            toleranceSeconds: tolerance,
          },
        },
        secretEncoding: {
          title: 'Secret encoding',
          description: 'How the secret text becomes the HMAC key: utf8 (as is), or hex/base64 decoded.',
          type: 'string',
          enum: ['utf8', 'hex', 'base64'],
          default: 'utf8',
        },
        secrets: secrets('The HMAC keys.', ['a-long-random-secret']),
      },
    },
    {
      title: 'Shared token',
      type: 'object',
      required: ['kind', 'in', 'name', 'tokens'],
      additionalProperties: false,
      properties: {
        kind: kind('token', 'Shared token', 'A fixed token in a header or query parameter, compared in constant time.'),
        in: { title: 'Where', type: 'string', enum: ['header', 'query'], default: 'header' },
        name: { title: 'Header or parameter name', type: 'string', minLength: 1, maxLength: 256, examples: ['X-Gitlab-Token', 'token'] },
        prefix: { title: 'Prefix', description: 'Text before the token, e.g. "Bearer " in Authorization.', type: 'string', maxLength: 64, examples: ['Bearer '] },
        tokens: { ...secrets('The accepted tokens.', ['3f1c0f4e9f0b4b2a8c6d']), title: 'Tokens' },
      },
    },
    {
      title: 'IP allow-list',
      type: 'object',
      required: ['kind', 'cidrs'],
      additionalProperties: false,
      properties: {
        kind: kind('ip-allow', 'IP allow-list', "Only requests whose sender address is in one of the blocks. IPv4, IPv6 and IPv4-mapped IPv6 are matched alike."),
        cidrs: {
          title: 'Addresses and CIDR blocks',
          type: 'array',
          minItems: 1,
          maxItems: 1000,
          items: { type: 'string', minLength: 2, maxLength: 64 },
          examples: [['192.30.252.0/22', '2a0a:a440::/29', '203.0.113.7']],
        },
      },
    },
  ],
} as const;

const KINDS = WEBHOOK_AUTH_SCHEMA.properties.kind.enum;

// One validator per kind: validating against the matching branch alone gives messages about
// that branch, where oneOf would report every branch's mismatch.
const ajv = new Ajv({ allErrors: true });
const branchValidators = new Map<string, ValidateFunction>();

function validatorFor(kindName: WebhookAuthKind): ValidateFunction {
  let validate = branchValidators.get(kindName);
  if (!validate) {
    const branch = WEBHOOK_AUTH_SCHEMA.oneOf.find((b) => b.properties.kind.const === kindName);
    validate = ajv.compile(branch ?? {});
    branchValidators.set(kindName, validate);
  }
  return validate;
}

/**
 * Validates a list of checks for admission (API, deploy): the JSON Schema of each check's kind,
 * then what a schema cannot say (base64 secrets that decode, CIDR blocks that parse, HMAC
 * templates with known placeholders that cover the body). Paths are relative to the list
 * (`[1].cidrs[0]`); [] when every check is usable.
 */
export function validateWebhookAuth(checks: unknown): Problem[] {
  if (!Array.isArray(checks)) return [{ code: 'ERR_VALIDATION', path: '', message: 'must be a list of checks' }];
  const problems: Problem[] = [];
  checks.forEach((check: unknown, i) => {
    const at = `[${i}]`;
    const kindName = (check as { kind?: unknown } | null)?.kind;
    if (typeof check !== 'object' || check === null || !KINDS.includes(kindName as WebhookAuthKind)) {
      problems.push({ code: 'ERR_VALIDATION', path: `${at}.kind`, message: `must be one of ${KINDS.join(', ')}` });
      return;
    }
    const validate = validatorFor(kindName as WebhookAuthKind);
    if (!validate(check)) {
      for (const err of validate.errors ?? []) problems.push({ code: 'ERR_VALIDATION', path: at + toPath(err.instancePath), message: describeAjvError(err) });
      return;
    }
    problems.push(...checkSemantics(check as WebhookAuth, at));
  });
  return problems;
}

function checkSemantics(check: WebhookAuth, at: string): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string): void => {
    problems.push({ code: 'ERR_VALIDATION', path, message });
  };
  switch (check.kind) {
    case 'standard-webhooks':
      check.secrets.forEach((secret, j) => {
        if (decodeStandardWebhooksSecret(secret) === undefined) add(`${at}.secrets[${j}]`, 'must be whsec_ followed by a non-empty base64 key');
      });
      break;
    case 'hmac': {
      if (typeof check.signed === 'object') {
        const problem = compileSignedTemplate(check.signed.template).problem;
        if (problem) add(`${at}.signed.template`, problem);
      }
      const encoding = check.secretEncoding ?? 'utf8';
      check.secrets.forEach((secret, j) => {
        if (decodeSecret(secret, encoding) === undefined) add(`${at}.secrets[${j}]`, `is not valid ${encoding}`);
      });
      break;
    }
    case 'ip-allow':
      check.cidrs.forEach((cidr, j) => {
        if (!parseCidr(cidr.trim())) add(`${at}.cidrs[${j}]`, `${JSON.stringify(cidr)} is not an IPv4 or IPv6 address or CIDR block`);
      });
      break;
    default:
      break;
  }
  return problems;
}

// `/secrets/0` → `.secrets[0]`
function toPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('');
}

function describeAjvError(err: ErrorObject): string {
  const params = err.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  if (err.keyword === 'required') return `needs the property ${JSON.stringify(params.missingProperty)}`;
  if (err.keyword === 'additionalProperties') return `has the unknown property ${JSON.stringify(params.additionalProperty)}`;
  if (err.keyword === 'enum') return `must be one of ${(params.allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
  // ajv's messages never quote the value, so a secret cannot leak through them.
  return err.message ?? 'is invalid';
}

/** The HMAC key of a Standard Webhooks secret (`whsec_` + base64); undefined when it does not decode. */
export function decodeStandardWebhooksSecret(secret: string): Buffer | undefined {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!new RegExp(STANDARD_WEBHOOKS_SECRET).test(encoded)) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length > 0 ? key : undefined;
}

/** Key bytes of a secret in the given encoding; undefined when it does not decode to any bytes. */
export function decodeSecret(secret: string, encoding: 'utf8' | 'hex' | 'base64'): Buffer | undefined {
  if (encoding === 'hex' && !/^(?:[0-9A-Fa-f]{2})+$/.test(secret)) return undefined;
  if (encoding === 'base64' && !/^[A-Za-z0-9+/_-]+={0,2}$/.test(secret)) return undefined;
  const key = Buffer.from(secret, encoding);
  return key.length > 0 ? key : undefined;
}

/** One piece of a signed template. */
export type TemplatePart = { text: Buffer } | { body: true } | { header: string } | { query: string };

/** Splits an HMAC template into its pieces; a problem when a placeholder is unknown or {body} is absent. */
export function compileSignedTemplate(template: string): { parts: TemplatePart[]; problem?: string } {
  const parts: TemplatePart[] = [];
  const placeholder = /\{([^{}]*)\}/g;
  let last = 0;
  let hasBody = false;
  for (const m of template.matchAll(placeholder)) {
    const inner = m[1] ?? '';
    if (m.index > last) parts.push({ text: Buffer.from(template.slice(last, m.index), 'utf8') });
    if (inner === 'body') {
      parts.push({ body: true });
      hasBody = true;
    } else if (inner.startsWith('header:') && new RegExp(HEADER_NAME).test(inner.slice(7))) {
      parts.push({ header: inner.slice(7).toLowerCase() });
    } else if (inner.startsWith('query:') && inner.length > 6) {
      parts.push({ query: inner.slice(6) });
    } else {
      return { parts, problem: `has the unknown placeholder {${inner}}; use {body}, {header:Name} or {query:name}` };
    }
    last = m.index + m[0].length;
  }
  const rest = template.slice(last);
  if (/[{}]/.test(rest) || parts.some((p) => 'text' in p && /[{}]/.test(p.text.toString('utf8')))) {
    return { parts, problem: 'has an unbalanced { or }' };
  }
  if (rest) parts.push({ text: Buffer.from(rest, 'utf8') });
  if (!hasBody) return { parts, problem: 'must contain {body}: a signature that does not cover the body lets any body through' };
  return { parts };
}
