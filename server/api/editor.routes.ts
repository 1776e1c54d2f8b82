import express from 'express';
import type { ApiDeps } from './api-deps.ts';

/**
 * Endpoints the flow editor needs beyond the resource API (mounted under /api/v1, after
 * the admin-token check): live updates, per-flow recent events, test runs.
 */
export function createEditorRoutes(_deps: ApiDeps): express.Router {
  const router = express.Router();
  return router;
}
