import express from 'express';
import { FlowbridgeError } from '../../flows/error-codes.ts';
import type { ApiDeps } from './api-deps.ts';
import { listFlowEvents } from './editor/flow-events.ts';
import { listFlowStats } from './editor/flow-stats.ts';
import { FlowWatcher, type FlowStreamMessage } from './editor/flow-watch.ts';
import { listRecentBusEvents } from './editor/recent-bus-events.ts';
import { previewTargetRequest, previewWebhookEvent } from './editor/test-run-preview.ts';
import { armCapture, cancelCapture, readCapture } from './editor/webhook-capture.ts';

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function limitParam(value: unknown, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new FlowbridgeError('ERR_VALIDATION', `"limit" must be an integer from 1 to ${max}`, [{ path: 'limit' }]);
  return n;
}

function nameParam(value: unknown, what: string): string {
  if (typeof value !== 'string' || !NAME.test(value)) throw new FlowbridgeError('ERR_VALIDATION', `The ${what} must be 1–64 lower-case letters, digits, "-" or "_"`, [{ path: what }]);
  return value;
}

/**
 * Endpoints the flow editor needs beyond the resource API (mounted under /api/v1, after
 * the admin-token check): per-flow recent events and live updates, flow stats for the
 * list, recent bus events and webhook captures for test samples, and test-run previews.
 */
export function createEditorRoutes(deps: ApiDeps): express.Router {
  const router = express.Router();
  const watcher = new FlowWatcher(deps.redis, deps.keys, {
    intervalMs: 1000,
    eventsLimit: 50,
    onError: (err) => deps.log.debug({ err: (err as Error)?.message }, 'flow watch poll failed; retrying'),
  });

  const requireFlow = async (id: string) => {
    if (!(await deps.flowStore.get(id))) throw new FlowbridgeError('ERR_NOT_FOUND', `No flow has the id "${id}"`);
  };

  router.get('/flow-stats', async (_req, res) => {
    res.json({ items: await listFlowStats(deps.redis, deps.keys) });
  });

  router.get('/flows/:id/events', async (req, res) => {
    await requireFlow(req.params.id);
    res.json({ items: await listFlowEvents(deps.redis, deps.keys, req.params.id, limitParam(req.query.limit, 50, 500)) });
  });

  // Server-sent events: `events` (the recent-events list) and `stats` (dead letters,
  // versions), each sent when it changes; a comment line every 15 s keeps proxies open.
  router.get('/flows/:id/stream', async (req, res) => {
    const flowId = req.params.id;
    await requireFlow(flowId);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n\n');
    const send = (m: FlowStreamMessage) => res.write(`event: ${m.type}\ndata: ${JSON.stringify(m)}\n\n`);
    const unsubscribe = watcher.subscribe(flowId, send);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    keepAlive.unref();
    req.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  });

  router.get('/buses/:bus/recent-events', async (req, res) => {
    const bus = nameParam(req.params.bus, 'bus');
    const via = typeof req.query.via === 'string' && req.query.via ? req.query.via : undefined;
    res.json({ items: await listRecentBusEvents(deps.redis, deps.keys, bus, limitParam(req.query.limit, 20, 200), via) });
  });

  router.post('/webhook-captures/:sourceId', async (req, res) => {
    res.status(201).json(await armCapture(deps.redis, deps.keys, nameParam(req.params.sourceId, 'source id')));
  });
  router.get('/webhook-captures/:sourceId', async (req, res) => {
    res.json(await readCapture(deps.redis, deps.keys, nameParam(req.params.sourceId, 'source id')));
  });
  router.delete('/webhook-captures/:sourceId', async (req, res) => {
    await cancelCapture(deps.redis, deps.keys, nameParam(req.params.sourceId, 'source id'));
    res.status(204).end();
  });

  router.post('/test-run/webhook-event', async (req, res) => {
    res.json({ event: await previewWebhookEvent(req.body) });
  });
  router.post('/test-run/target-request', async (req, res) => {
    const type = (req.body as { target?: { type?: unknown } } | undefined)?.target?.type;
    res.json(await previewTargetRequest(typeof type === 'string' ? deps.connectors.forNodeType(type) : undefined, req.body));
  });

  return router;
}
