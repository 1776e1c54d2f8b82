import { httpConnector } from './http/http.connector.ts';
import type { Connector } from './spi/connector.ts';

/** Every connector flowbridge ships, by id. */
export const CONNECTORS: readonly Connector<never>[] = [httpConnector as Connector<never>];
