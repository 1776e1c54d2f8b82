import express from 'express';
import { FlowbridgeError } from '../../flows/error-codes.ts';
import type { RedriveEdit } from '../services/dead-letter.service.ts';
import type { DeadLetterFilter, DeadLetterRetention } from '../store/dead-letter-store.ts';
import type { ApiDeps } from './api-deps.ts';

const REASONS = ['attempts-exhausted', 'permanent-failure', 'transform-error', 'event-too-old', 'target-disabled'];
const KINDS = ['retryable', 'rate_limited', 'auth', 'permanent', 'config'];

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isoTime(value: unknown, name: string): string | undefined {
  const v = text(value);
  if (v !== undefined && Number.isNaN(Date.parse(v))) throw new FlowbridgeError('ERR_VALIDATION', `"${name}" must be an ISO 8601 time`, [{ path: name }]);
  return v;
}

/** A dead letter filter from query parameters or a JSON body; every field optional, each checked. */
function readFilter(source: Record<string, unknown> | undefined): DeadLetterFilter {
  const s = source ?? {};
  const filter: DeadLetterFilter = {
    flowId: text(s.flowId), ruleId: text(s.ruleId), targetId: text(s.targetId), bus: text(s.bus),
    errorKind: text(s.errorKind), reason: text(s.reason), since: isoTime(s.since, 'since'), until: isoTime(s.until, 'until'),
  };
  if (filter.reason && !REASONS.includes(filter.reason)) throw new FlowbridgeError('ERR_VALIDATION', `"reason" must be one of ${REASONS.join(', ')}`, [{ path: 'reason' }]);
  if (filter.errorKind && !KINDS.includes(filter.errorKind)) throw new FlowbridgeError('ERR_VALIDATION', `"errorKind" must be one of ${KINDS.join(', ')}`, [{ path: 'errorKind' }]);
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as DeadLetterFilter;
}

function positiveInt(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new FlowbridgeError('ERR_VALIDATION', `"${name}" must be an integer from ${min} to ${max}`, [{ path: name }]);
  return value;
}

/**
 * Dead letters (list with filters and paging, get, redrive one with an optional edited
 * body, redrive in bulk by filter with progress, delete one or by filter, retention per
 * bus) and targets (health, breaker, disabled state, backlog). Mounted under /api/v1.
 */
export function createDeliveryRoutes(deps: ApiDeps): express.Router {
  const router = express.Router();
  const dl = deps.deadLetters;

  // --- bulk redrives (before /dead-letters/:id, which would take "redrives" as an id) ---
  router.post('/dead-letters/redrives', async (req, res) => {
    const body = (req.body ?? {}) as { filter?: Record<string, unknown> };
    res.status(202).json(await dl.startBulkRedrive(readFilter(body.filter)));
  });
  router.get('/dead-letters/redrives', async (_req, res) => {
    res.json({ items: await dl.listBulkRedrives() });
  });
  router.get('/dead-letters/redrives/:id', async (req, res) => {
    res.json(await dl.bulkStatus(req.params.id));
  });

  // --- retention ---
  router.get('/dead-letters/retention', async (_req, res) => {
    res.json(await dl.retention());
  });
  router.put('/dead-letters/retention/:bus', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const input: Partial<DeadLetterRetention> = {};
    const maxCount = positiveInt(body.maxCount, 'maxCount', 1, 100_000_000);
    const maxAgeSeconds = positiveInt(body.maxAgeSeconds, 'maxAgeSeconds', 60, 3650 * 86_400);
    if (maxCount !== undefined) input.maxCount = maxCount;
    if (maxAgeSeconds !== undefined) input.maxAgeSeconds = maxAgeSeconds;
    res.json(await dl.setRetention(req.params.bus, input));
  });
  router.delete('/dead-letters/retention/:bus', async (req, res) => {
    res.json(await dl.setRetention(req.params.bus, undefined));
  });

  // --- dead letters ---
  router.get('/dead-letters', async (req, res) => {
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new FlowbridgeError('ERR_VALIDATION', '"limit" must be an integer from 1 to 500', [{ path: 'limit' }]);
    res.json(await dl.list(readFilter(req.query as Record<string, unknown>), limit, text(req.query.cursor)));
  });
  router.delete('/dead-letters', async (req, res) => {
    const filter = readFilter(req.query as Record<string, unknown>);
    if (!Object.keys(filter).length && req.query.all !== 'true') {
      throw new FlowbridgeError('ERR_VALIDATION', 'Give a filter (flowId, targetId, bus, ruleId, errorKind, reason, since, until), or all=true to delete every dead letter');
    }
    res.json({ deleted: await dl.removeByFilter(filter) });
  });
  router.get('/dead-letters/:id', async (req, res) => {
    res.json(await dl.get(req.params.id));
  });
  router.post('/dead-letters/:id/redrive', async (req, res) => {
    const body = req.body as Record<string, unknown> | undefined;
    let edit: RedriveEdit | undefined;
    if (body && typeof body === 'object' && 'body' in body) {
      if (body.output !== undefined && body.output !== 'json' && body.output !== 'text') throw new FlowbridgeError('ERR_VALIDATION', '"output" must be "json" or "text"', [{ path: 'output' }]);
      edit = { body: body.body, output: body.output as RedriveEdit['output'] };
    }
    res.status(202).json(await dl.redrive(req.params.id, edit));
  });
  router.delete('/dead-letters/:id', async (req, res) => {
    await dl.remove(req.params.id);
    res.status(204).end();
  });

  // --- targets ---
  router.get('/targets', async (req, res) => {
    res.json({ items: await deps.targets.list({ flowId: text(req.query.flowId) }) });
  });
  router.get('/targets/:id', async (req, res) => {
    res.json(await deps.targets.get(req.params.id));
  });
  router.post('/targets/:id/enable', async (req, res) => {
    res.json(await deps.targets.enable(req.params.id));
  });
  router.post('/targets/:id/breaker/reset', async (req, res) => {
    res.json(await deps.targets.resetBreaker(req.params.id));
  });

  return router;
}
