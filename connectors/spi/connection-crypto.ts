import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { maskConnection, parseConnection, type Connection } from './connection.ts';

// Connections at rest: the whole decrypted connection is sealed with AES-256-GCM; the
// record keeps only its kind and a masked copy in clear. The connection id is bound as
// additional authenticated data, so a sealed blob copied onto another record fails to open.

export interface SecretKey {
  /** First 16 hex digits of SHA-256 of the key: tells which key sealed a blob, without revealing it. */
  id: string;
  bytes: Buffer;
}

export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

/** Reads a 32-byte key written as 64 hex digits or base64; throws SecretKeyError otherwise. */
export function parseSecretKey(text: string): SecretKey {
  const t = text.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (bytes.length !== 32) throw new SecretKeyError('the secret key must be 32 bytes, written as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)');
  return { id: crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16), bytes };
}

/** A new random key (for the first start, and for rotation). */
export function generateSecretKey(): SecretKey {
  return parseSecretKey(crypto.randomBytes(32).toString('base64'));
}

/**
 * The key from `FLOWBRIDGE_SECRET_KEY` when set, else from `keyFile`, which is created
 * (mode 0600, base64) with a new key when it does not exist yet.
 */
export async function loadOrCreateSecretKey(options: { env?: NodeJS.ProcessEnv; keyFile: string }): Promise<SecretKey> {
  const fromEnv = (options.env ?? process.env).FLOWBRIDGE_SECRET_KEY;
  if (fromEnv) return parseSecretKey(fromEnv);
  try {
    return parseSecretKey(await fs.readFile(options.keyFile, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = generateSecretKey();
  await fs.mkdir(path.dirname(options.keyFile), { recursive: true, mode: 0o700 });
  try {
    // `wx`: two processes starting together must not overwrite each other's key.
    await fs.writeFile(options.keyFile, `${key.bytes.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return parseSecretKey(await fs.readFile(options.keyFile, 'utf8'));
    throw err;
  }
}

const VERSION = 'v1';

/** Seals a text: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts); `aad` must be given again to open it. */
export function sealSecret(plaintext: string, key: SecretKey, aad = ''): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key.bytes, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, key.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

/** Opens a sealed text with whichever of `keys` sealed it; throws SecretKeyError when none did or it was altered. */
export function openSecret(sealed: string, keys: readonly SecretKey[], aad = ''): string {
  const [version, keyId, iv, tag, ct] = sealed.split('.');
  if (version !== VERSION || !keyId || iv === undefined || tag === undefined || ct === undefined) throw new SecretKeyError('not a sealed secret');
  const key = keys.find((k) => k.id === keyId);
  if (!key) throw new SecretKeyError(`sealed with key ${keyId}, which is not loaded`);
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretKeyError('the sealed secret was altered or belongs to another record');
  }
}

/** A connection as stored: kind and masked copy in clear, everything sealed. */
export interface SealedConnection {
  kind: Connection['kind'];
  masked: Record<string, unknown>;
  sealed: string;
}

/** Validates and seals a connection for storage under `id`. Throws ConnectionInvalidError for a bad connection. */
export function sealConnection(id: string, connection: unknown, key: SecretKey): SealedConnection {
  const parsed = parseConnection(connection);
  return { kind: parsed.kind, masked: maskConnection(parsed), sealed: sealSecret(JSON.stringify(parsed), key, `connection:${id}`) };
}

/** Opens a stored connection; throws SecretKeyError when no key fits, ConnectionInvalidError when the content is not a connection. */
export function openConnection(id: string, stored: SealedConnection, keys: readonly SecretKey[]): Connection {
  return parseConnection(JSON.parse(openSecret(stored.sealed, keys, `connection:${id}`)));
}

/** Re-seals a stored connection with `newKey` (key rotation); a no-op copy when it already uses it. */
export function resealConnection(id: string, stored: SealedConnection, keys: readonly SecretKey[], newKey: SecretKey): SealedConnection {
  if (stored.sealed.split('.')[1] === newKey.id) return { ...stored };
  return sealConnection(id, openConnection(id, stored, [...keys, newKey]), newKey);
}
