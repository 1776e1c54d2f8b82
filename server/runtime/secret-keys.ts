import path from 'node:path';
import { loadOrCreateSecretKey, parseSecretKey } from '../../connectors/spi/connection-crypto.ts';
import { ConfigError, type Config } from '../config.ts';
import type { SecretKeys } from '../secrets/config-secrets.ts';

/** The key that seals secrets (env, or a key file created in the data dir) and earlier keys that still open them. */
export async function loadSecretKeys(config: Config): Promise<SecretKeys> {
  try {
    const current = await loadOrCreateSecretKey({ env: { FLOWBRIDGE_SECRET_KEY: config.secretKey }, keyFile: path.join(config.dataDir, 'secret.key') });
    return { current, all: [current, ...config.previousSecretKeys.map((k) => parseSecretKey(k))] };
  } catch (err) {
    throw new ConfigError(`secret key: ${(err as Error).message}`);
  }
}
