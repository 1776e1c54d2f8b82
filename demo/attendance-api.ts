// A small attendance-system API for the ERP → attendance demos. It keeps employee records
// in memory: POST /api/employees creates (or upserts) by externalId, PUT /api/employees/:id
// updates, DELETE /api/employees/:id removes, GET /api/employees lists them. Repeated
// Idempotency-Keys are answered without applying the change twice.
//   node bin/run-ts.js demo/attendance-api.ts [--port 9091] [--fail-rate 0.2]
import http from 'node:http';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const port = Number(flag('port', '9091'));
const failRate = Number(flag('fail-rate', '0'));

interface EmployeeRecord {
  externalId: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  team?: string;
  contractHoursPerWeek?: number;
  site?: string;
  active?: boolean;
  updatedAt: string;
}

const employees = new Map<string, EmployeeRecord>();
const seenKeys = new Set<string>();

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/api/employees' && req.method === 'GET') return reply(res, 200, [...employees.values()]);
    const one = /^\/api\/employees\/([^/]+)$/.exec(req.url ?? '');
    if (one && req.method === 'DELETE') {
      const id = decodeURIComponent(one[1]!);
      if (!employees.delete(id)) return reply(res, 404, { error: `no employee ${id}` });
      console.log(`deleted ${id} (${employees.size} employees)`);
      return reply(res, 200, { deleted: id });
    }
    if (one && req.method === 'PUT') {
      const id = decodeURIComponent(one[1]!);
      if (!employees.has(id)) return reply(res, 404, { error: `no employee ${id}` });
      let body: Partial<EmployeeRecord>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<EmployeeRecord>;
      } catch {
        return reply(res, 400, { error: 'body is not JSON' });
      }
      const record: EmployeeRecord = { ...employees.get(id)!, ...body, externalId: id, updatedAt: new Date().toISOString() };
      employees.set(id, record);
      console.log(`updated ${id}`);
      return reply(res, 200, record);
    }
    if (req.url !== '/api/employees' || req.method !== 'POST') return reply(res, 404, { error: 'not found' });
    if (Math.random() < failRate) {
      console.log('503 (simulated outage)');
      return reply(res, 503, { error: 'temporarily unavailable' });
    }
    let body: Partial<EmployeeRecord>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<EmployeeRecord>;
    } catch {
      return reply(res, 400, { error: 'body is not JSON' });
    }
    if (typeof body.externalId !== 'string' || !body.externalId) return reply(res, 400, { error: 'externalId is required' });
    const key = req.headers['idempotency-key'];
    if (typeof key === 'string' && seenKeys.has(key)) {
      console.log(`duplicate ${key} for ${body.externalId}: already applied`);
      return reply(res, 200, employees.get(body.externalId));
    }
    if (typeof key === 'string') seenKeys.add(key);
    const record: EmployeeRecord = { ...employees.get(body.externalId), ...body, externalId: body.externalId, updatedAt: new Date().toISOString() };
    employees.set(record.externalId, record);
    console.log(`upserted ${record.externalId} ${record.firstName ?? ''} ${record.lastName ?? ''} (${employees.size} employees)`);
    reply(res, 200, record);
  });
});

server.listen(port, '127.0.0.1', () => console.log(`attendance API listening on http://127.0.0.1:${port}/api/employees`));
