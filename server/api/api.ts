import express, { type NextFunction, type Request, type Response } from 'express';
import { FlowbridgeError } from '../../flows/error-codes.ts';
import { errorBody, toFlowbridgeError } from '../http-util.ts';
import { BUS_SETTINGS_SCHEMA, ensureBus, getBus, listBuses, updateBus } from '../services/bus.service.ts';
import { checkSchema } from '../../flows/schema-check.ts';
import { maskConfigSecrets } from '../secrets/config-secrets.ts';
import { testPattern, testTransform } from '../services/playground.ts';
import { createDeliveryRoutes } from './delivery.routes.ts';
import { createEditorRoutes } from './editor.routes.ts';
import type { ApiDeps } from './api-deps.ts';


function intParam(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new FlowbridgeError('ERR_VALIDATION', `"${name}" must be an integer from ${min} to ${max}`, [{ path: name }]);
  return n;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The management API (`/api/v1`), health and metrics: thin handlers over the services. */
export function createApi(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.get('/healthz', async (_req, res) => {
    const h = await deps.health();
    res.status(h.ok ? 200 : 503).json(h.body);
  });
  app.get('/metrics', (_req, res) => {
    res.type('text/plain; version=0.0.4').send(deps.metrics.render());
  });

  const api = express.Router();
  api.use(async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (!(await deps.tokens.check(token))) {
      throw new FlowbridgeError('ERR_UNAUTHORIZED', token ? 'The admin token is not valid' : 'Send the admin token as "Authorization: Bearer <token>"');
    }
    next();
  });
  api.use(express.json({ limit: '5mb', strict: false, type: ['application/json', 'application/*+json'] }));

  // --- flows ---
  api.get('/flows', async (_req, res) => {
    res.json({ items: await deps.flows.list() });
  });
  api.post('/flows', async (req, res) => {
    res.status(201).json(await deps.flows.create(req.body));
  });
  api.post('/flows/validate', (req, res) => {
    res.json({ problems: deps.flows.validate(req.body) });
  });
  api.get('/flows/:id', async (req, res) => {
    res.json(await deps.flows.get(req.params.id!));
  });
  api.put('/flows/:id', async (req, res) => {
    const ifMatch = str(req.headers['if-match'])?.replace(/^W\//, '').replace(/"/g, '');
    res.json(await deps.flows.update(req.params.id!, req.body, ifMatch !== undefined ? intParam(ifMatch, 'If-Match', 0, 1, Number.MAX_SAFE_INTEGER) : undefined));
  });
  api.delete('/flows/:id', async (req, res) => {
    await deps.flows.remove(req.params.id!);
    res.status(204).end();
  });
  api.get('/flows/:id/versions', async (req, res) => {
    res.json({ items: await deps.flows.versions(req.params.id!) });
  });
  api.post('/flows/:id/deploy', async (req, res) => {
    const body = (req.body ?? {}) as { version?: unknown };
    const version = body.version === undefined ? undefined : intParam(body.version, 'version', 0, 1, Number.MAX_SAFE_INTEGER);
    res.json(await deps.flows.deploy(req.params.id!, version));
  });
  api.delete('/flows/:id/deploy', async (req, res) => {
    await deps.flows.undeploy(req.params.id!);
    res.status(204).end();
  });

  // --- buses and events ---
  api.get('/buses', async (_req, res) => {
    res.json({ items: await listBuses(deps.redis, deps.keys) });
  });
  api.post('/buses', async (req, res) => {
    const body = req.body as Record<string, unknown> | undefined;
    const name = str(body?.name);
    if (!name) throw new FlowbridgeError('ERR_VALIDATION', 'Send {"name": "<bus name>", …settings}', [{ path: 'name' }]);
    const problems = checkSchema(BUS_SETTINGS_SCHEMA, body, '', 'ERR_VALIDATION');
    if (problems.length) throw new FlowbridgeError('ERR_VALIDATION', problems[0]!.message, problems);
    await ensureBus(deps.redis, deps.keys, name);
    const { name: _n, ...settings } = body ?? {};
    res.status(201).json(await updateBus(deps.redis, deps.keys, name, settings));
  });
  api.get('/buses/:bus', async (req, res) => {
    const bus = await getBus(deps.redis, deps.keys, req.params.bus!);
    if (!bus) throw new FlowbridgeError('ERR_NOT_FOUND', `No bus is named "${req.params.bus}"`);
    res.json(bus);
  });
  api.patch('/buses/:bus', async (req, res) => {
    const problems = checkSchema(BUS_SETTINGS_SCHEMA, req.body ?? {}, '', 'ERR_VALIDATION');
    if (problems.length) throw new FlowbridgeError('ERR_VALIDATION', problems[0]!.message, problems);
    const { name: _n, ...changes } = (req.body ?? {}) as Record<string, unknown>;
    res.json(await updateBus(deps.redis, deps.keys, req.params.bus!, changes));
  });

  // --- webhook sources (defined by the webhook nodes of deployed flows) ---
  api.get('/sources', async (_req, res) => {
    await deps.registry.refresh();
    res.json({ items: deps.registry.allSources().map((s) => ({ sourceId: s.sourceId, url: `/webhooks/${s.sourceId}`, flowId: s.flowId, nodeId: s.nodeId, bus: s.bus, config: maskConfigSecrets(s.config) })) });
  });
  api.get('/buses/:bus/events/:id', async (req, res) => {
    const bus = req.params.bus!;
    const entry = await deps.events.find(bus, req.params.id!, str(req.query.source));
    if (!entry) throw new FlowbridgeError('ERR_NOT_FOUND', `No event "${req.params.id}" on bus "${bus}"${req.query.source ? ` with source "${String(req.query.source)}"` : ''}`);
    const trace = (await deps.events.trace(bus, entry.streamId)).sort((a, b) => a.t - b.t);
    res.json({
      bus,
      streamId: entry.streamId,
      acceptedAt: new Date(entry.meta.at).toISOString(),
      via: entry.meta.via,
      event: entry.event,
      trace: trace.map((t) => ({ ...t, t: undefined, at: new Date(t.t).toISOString() })),
    });
  });

  // --- playgrounds and catalog ---
  api.post('/patterns/test', (req, res) => {
    const a = testPattern(req.body);
    res.status(a.status).json(a.body);
  });
  api.post('/transforms/test', async (req, res) => {
    const a = await testTransform(req.body);
    res.status(a.status).json(a.body);
  });
  api.get('/connectors', (_req, res) => {
    res.json({
      items: deps.connectors.connectors.map((c) => ({
        id: c.id, nodeType: c.send ? `target.${c.id}` : `source.${c.id}`, version: c.version, title: c.title, summary: c.summary, category: c.category,
        configSchema: c.configSchema, connectionKinds: c.connectionKinds, capabilities: { send: Boolean(c.send), testConnection: Boolean(c.testConnection) },
      })),
      nodeKinds: [...deps.connectors.catalog.values()].map((k) => ({ type: k.type, role: k.role, title: k.title, description: k.description, configSchema: k.configSchema, connectionKinds: k.connectionKinds ?? [], connectionRequired: k.connectionRequired ?? false })),
    });
  });

  api.use(createDeliveryRoutes(deps));
  for (const r of deps.apiRoutes ?? []) api.use(r);
  api.use(createEditorRoutes(deps));
  api.use((req, res) => {
    res.status(404).json(errorBody('ERR_ROUTE_NOT_FOUND', `No endpoint ${req.method} /api/v1${req.path}`));
  });
  app.use('/api/v1', api);
  for (const r of deps.extra ?? []) app.use(r);
  app.use((req, res) => {
    res.status(404).json(errorBody('ERR_ROUTE_NOT_FOUND', `No endpoint ${req.method} ${req.path}`));
  });
  // Express needs the four-argument signature to treat this as the error handler.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const fe = toFlowbridgeError(err);
    if (fe.code === 'ERR_INTERNAL') deps.log.error({ err: (err as Error)?.stack ?? String(err), method: req.method, path: req.path }, 'API request failed');
    if (res.headersSent) return;
    res.status(fe.status).json(errorBody(fe.code, fe.message, fe.details));
  });
  return app;
}
