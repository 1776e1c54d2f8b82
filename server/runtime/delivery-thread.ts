// The body of a delivery worker thread: the delivery role on its own connections, with
// heartbeats and metrics sent to the main thread, and a drain when told to stop.
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { CONNECTORS } from '../../connectors/catalog.ts';
import { parseCidrList } from '../../connectors/spi/address-guard.ts';
import type { Config } from '../config.ts';
import { createLogger } from '../logging.ts';
import { Metrics } from '../metrics.ts';
import { Keys } from '../redis/keys.ts';
import { ConnectorRegistry } from './connector-registry.ts';
import { startDeliveryRole } from './delivery-role.ts';
import { loadSecretKeys } from './secret-keys.ts';

/** What the main thread hands a delivery thread (all of it cloneable: the allow-list travels as text). */
export interface DeliveryThreadData {
  config: Omit<Config, 'allowPrivateTargets'>;
  redisUrl: string;
}

/** Messages a delivery thread sends. */
export type DeliveryThreadMessage =
  | { type: 'ready' }
  | { type: 'beat'; running: boolean; metrics: ReturnType<Metrics['snapshot']> }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

const data = workerData as DeliveryThreadData;
const port = parentPort!;
const send = (m: DeliveryThreadMessage) => port.postMessage(m);

try {
  const config: Config = { ...data.config, allowPrivateTargets: data.config.allowPrivateTargetsText ? parseCidrList(data.config.allowPrivateTargetsText) : undefined };
  const log = createLogger(config.logLevel).child({ thread: threadId });
  const metrics = new Metrics();
  const role = await startDeliveryRole({ config, redisUrl: data.redisUrl, keys: new Keys(config.redisPrefix), connectors: new ConnectorRegistry(CONNECTORS), log, metrics, secretKeys: await loadSecretKeys(config) });
  const beat = setInterval(() => send({ type: 'beat', running: role.isRunning(), metrics: metrics.snapshot() }), 1000);
  send({ type: 'ready' });
  port.on('message', (m: { type: string; graceMs?: number }) => {
    if (m.type !== 'close') return;
    clearInterval(beat);
    role.close(m.graceMs ?? 30_000).then(
      () => {
        send({ type: 'beat', running: false, metrics: metrics.snapshot() });
        send({ type: 'closed' });
        port.close();
      },
      (err: unknown) => send({ type: 'failed', message: (err as Error).message }),
    );
  });
} catch (err) {
  send({ type: 'failed', message: (err as Error).message });
  port.close();
}
