import express from 'express';
import { CONNECTION_KINDS, CONNECTION_SCHEMAS } from '../../connectors/spi/connection.ts';
import type { HttpClient } from '../../connectors/spi/http-client.ts';
import type { ConnectionService } from '../connections/connection.service.ts';

/** `/api/v1/connections`: stored credentials, never answered in clear. */
export function createConnectionRoutes(connections: ConnectionService, http: HttpClient, reseal: () => Promise<{ connections: number; flows: number }>): express.Router {
  const router = express.Router();
  router.get('/connections', async (_req, res) => {
    res.json({ items: await connections.list(), kinds: CONNECTION_KINDS.map((kind) => ({ kind, schema: CONNECTION_SCHEMAS[kind] })) });
  });
  router.post('/connections', async (req, res) => {
    res.status(201).json(await connections.create(req.body));
  });
  router.get('/connections/:id', async (req, res) => {
    res.json(await connections.get(req.params.id!));
  });
  router.put('/connections/:id', async (req, res) => {
    res.json(await connections.update(req.params.id!, req.body));
  });
  router.delete('/connections/:id', async (req, res) => {
    await connections.remove(req.params.id!);
    res.status(204).end();
  });
  router.post('/connections/:id/test', async (req, res) => {
    res.json(await connections.test(req.params.id!, http));
  });
  // After rotating FLOWBRIDGE_SECRET_KEY (old key in FLOWBRIDGE_SECRET_KEY_PREVIOUS): re-seal everything with the new key.
  router.post('/secrets/reseal', async (_req, res) => {
    res.json(await reseal());
  });
  return router;
}
