import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSecretKey, loadOrCreateSecretKey, openConnection, openSecret, parseSecretKey, resealConnection, sealConnection, sealSecret, SecretKeyError } from './connection-crypto.ts';

const connection = { kind: 'basic', username: 'u', password: 'p@ss' };

describe('sealed connections', () => {
  it('round-trips a connection and keeps only the masked copy in clear', () => {
    const key = generateSecretKey();
    const stored = sealConnection('conn-1', connection, key);
    expect(stored.masked).toEqual({ kind: 'basic', username: 'u', password: '********' });
    expect(stored.sealed).not.toContain('p@ss');
    expect(openConnection('conn-1', stored, [key])).toEqual(connection);
  });

  it('refuses a blob moved onto another record, a tampered blob and an unknown key', () => {
    const key = generateSecretKey();
    const stored = sealConnection('conn-1', connection, key);
    expect(() => openConnection('conn-2', stored, [key])).toThrow(SecretKeyError);
    const parts = stored.sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => openSecret(parts.join('.'), [key], 'connection:conn-1')).toThrow(SecretKeyError);
    expect(() => openConnection('conn-1', stored, [generateSecretKey()])).toThrow(/not loaded/);
  });

  it('re-seals with a new key on rotation, and the old key is then not needed', () => {
    const oldKey = generateSecretKey();
    const newKey = generateSecretKey();
    const rotated = resealConnection('c', sealConnection('c', connection, oldKey), [oldKey], newKey);
    expect(rotated.sealed.split('.')[1]).toBe(newKey.id);
    expect(openConnection('c', rotated, [newKey])).toEqual(connection);
  });

  it('uses a fresh IV for every seal', () => {
    const key = generateSecretKey();
    expect(sealSecret('x', key)).not.toBe(sealSecret('x', key));
  });

  it('reads keys written in hex or base64 and rejects other lengths', () => {
    const hex = 'ab'.repeat(32);
    expect(parseSecretKey(hex).bytes).toEqual(Buffer.from(hex, 'hex'));
    expect(parseSecretKey(Buffer.alloc(32, 7).toString('base64')).bytes).toEqual(Buffer.alloc(32, 7));
    expect(() => parseSecretKey('too-short')).toThrow(SecretKeyError);
  });

  it('prefers FLOWBRIDGE_SECRET_KEY, else creates the key file with mode 0600 once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-key-'));
    const keyFile = path.join(dir, 'sub', 'secret.key');
    const created = await loadOrCreateSecretKey({ env: {}, keyFile });
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect((await loadOrCreateSecretKey({ env: {}, keyFile })).id).toBe(created.id);
    const fromEnv = generateSecretKey();
    expect((await loadOrCreateSecretKey({ env: { FLOWBRIDGE_SECRET_KEY: fromEnv.bytes.toString('base64') }, keyFile })).id).toBe(fromEnv.id);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
