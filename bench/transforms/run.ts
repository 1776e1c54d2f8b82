// Renders per second of each transform kind on a 1 KB event, compiled once, rendered many
// times — the router's steady state. Numbers, not a pass/fail test: compare them with the
// core benchmark's per-event cost (the transform step should add no more than 10% to it).
//
//   node bin/run-ts.js bench/transforms/run.ts [--ms 1000]
//
// Each case warms up, then renders back to back for the measuring window, awaiting every
// render as the router does. The machine is shared: keep the window short.
//
// JSONata cases run twice: as compileTransform builds them (on the fast path when the
// expression is in its subset) and with the library alone, so the two can be compared.

import { compileJsonataTransform, isFastPath } from '../../flows/transforms/jsonata.transform.ts';
import { compileTransform, DEFAULT_TRANSFORM_LIMITS, type TransformContext } from '../../flows/transforms/transform.ts';
import { toRenderError } from '../../flows/transforms/transform-errors.ts';

const msArg = process.argv.indexOf('--ms');
const MEASURE_MS = msArg > 0 ? Number(process.argv[msArg + 1]) : 1000;
const WARMUP_MS = Math.min(300, MEASURE_MS);

const EVENT = {
  specversion: '1.0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  source: 'https://erp.example.com/hr',
  type: 'hr.employee.updated',
  subject: 'employees/E-1042',
  time: '2024-05-01T12:30:00Z',
  datacontenttype: 'application/json',
  data: {
    employeeId: 'E-1042',
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada.lovelace@example.com',
    status: 'active',
    department: { id: 'D-7', name: 'Analytical Engines', costCenter: 'CC-4711' },
    manager: { employeeId: 'E-0001', name: 'Charles Babbage' },
    location: { site: 'London HQ', country: 'GB', timezone: 'Europe/London' },
    contract: { type: 'permanent', hoursPerWeek: 37.5, startDate: '2021-09-01', endDate: null },
    roles: ['engineer', 'reviewer', 'mentor'],
    shifts: [
      { day: 'mon', start: '09:00', end: '17:30' },
      { day: 'tue', start: '09:00', end: '17:30' },
      { day: 'wed', start: '10:00', end: '18:30' },
    ],
    updatedFields: ['department', 'contract.hoursPerWeek'],
    updatedBy: 'hr-sync@example.com',
    note: 'Moved to the engines team after the spring reorganisation; hours reduced.',
  },
};

const CTX: TransformContext = {
  event: EVENT,
  ruleName: 'sync-attendance',
  flowId: 'erp-to-attendance',
  ingestionTime: '2024-05-01T12:30:01.250Z',
};

// Eight fields in, eight fields out: the typical "reshape for the target API" mapping.
const CASES: { name: string; config: unknown }[] = [
  { name: 'original', config: { type: 'original' } },
  { name: 'original (data)', config: { type: 'original', part: 'data' } },
  { name: 'constant', config: { type: 'constant', value: { ping: true, source: 'flowbridge' } } },
  { name: 'jsonpath', config: { type: 'jsonpath', path: '$.data.department' } },
  { name: 'jsonpath (wildcard)', config: { type: 'jsonpath', path: '$.data.shifts[*].day' } },
  {
    name: 'template (8 fields, JSON)',
    config: {
      type: 'template',
      inputPathsMap: {
        id: '$.data.employeeId',
        first: '$.data.firstName',
        last: '$.data.lastName',
        email: '$.data.email',
        status: '$.data.status',
        dept: '$.data.department.name',
        hours: '$.data.contract.hoursPerWeek',
        roles: '$.data.roles',
      },
      inputTemplate:
        '{"personnelNo": <id>, "name": "<first> <last>", "mail": <email>, "active": "<status>", "team": <dept>, "weeklyHours": <hours>, "roles": <roles>, "rule": <flowbridge.rule-name>}',
    },
  },
  {
    name: 'jsonata (8 fields)',
    config: {
      type: 'jsonata',
      expression:
        '{"personnelNo": data.employeeId, "name": data.firstName & " " & data.lastName, "mail": $lowercase(data.email), "active": data.status = "active", "team": data.department.name, "weeklyHours": data.contract.hoursPerWeek, "roles": data.roles, "days": data.shifts.day}',
    },
  },
  {
    name: 'jsonata (one path)',
    config: { type: 'jsonata', expression: 'data.department.name' },
  },
  {
    name: 'jsonata (conditions, arithmetic, functions)',
    config: {
      type: 'jsonata',
      expression:
        '{"id": $uppercase(data.employeeId), "fullTime": data.contract.hoursPerWeek >= 35, "minutes": data.contract.hoursPerWeek * 60, "kind": data.contract.endDate ? "fixed" : "open", "roleCount": $count(data.roles), "initials": $substring(data.firstName, 0, 1) & $substring(data.lastName, 0, 1), "site": $trim(data.location.site), "days": $join(data.shifts.day, ",")}',
    },
  },
  {
    name: 'jsonata (outside the subset: filter)',
    config: { type: 'jsonata', expression: '{"id": data.employeeId, "late": data.shifts[start > "09:30"].day}' },
  },
  {
    name: 'handlebars (8 fields)',
    config: {
      type: 'handlebars',
      template:
        'Employee {{data.employeeId}} ({{data.firstName}} {{data.lastName}}, {{data.email}}) is now {{data.status}} in {{data.department.name}}, {{data.contract.hoursPerWeek}} h/week. Roles: {{#each data.roles}}{{this}}{{#unless @last}}, {{/unless}}{{/each}}. Updated {{formatDate time "d MMM yyyy HH:mm"}}.',
    },
  },
];

async function measure(render: () => Promise<unknown>, ms: number): Promise<{ renders: number; elapsedMs: number }> {
  const start = performance.now();
  let renders = 0;
  let elapsed = 0;
  // Check the clock every 64 renders so the clock itself does not dominate cheap kinds.
  while (elapsed < ms) {
    for (let i = 0; i < 64; i++) await render();
    renders += 64;
    elapsed = performance.now() - start;
  }
  return { renders, elapsedMs: elapsed };
}

function formatRate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const eventBytes = Buffer.byteLength(JSON.stringify(EVENT));
  console.log(`transform renders on a ${eventBytes}-byte event, compiled once; ${MEASURE_MS} ms per case, node ${process.version}\n`);
  const rows: string[][] = [];

  const text = JSON.stringify(EVENT);
  const parse = await measure(() => Promise.resolve(JSON.parse(text) as unknown), MEASURE_MS);
  rows.push(['(baseline) JSON.parse of the event', formatRate((parse.renders / parse.elapsedMs) * 1000), ((parse.elapsedMs * 1000) / parse.renders).toFixed(2)]);

  const run = async (name: string, render: () => Promise<unknown>): Promise<void> => {
    await measure(render, WARMUP_MS);
    const { renders, elapsedMs } = await measure(render, MEASURE_MS);
    rows.push([name, formatRate((renders / elapsedMs) * 1000), ((elapsedMs * 1000) / renders).toFixed(2)]);
  };

  for (const c of CASES) {
    const compiled = compileTransform(c.config);
    const config = c.config as { type: string; expression?: string };
    if (config.type !== 'jsonata' || config.expression === undefined) {
      await run(c.name, () => compiled.render(EVENT, CTX));
      continue;
    }
    const fast = compileJsonataTransform(config.expression, DEFAULT_TRANSFORM_LIMITS, []);
    const library = compileJsonataTransform(config.expression, DEFAULT_TRANSFORM_LIMITS, [], { fastPath: false });
    if (!fast || !library) throw new Error(`${c.name} does not compile`);
    // The same output both ways, or the comparison means nothing.
    if (JSON.stringify(await compiled.render(EVENT, CTX)) !== JSON.stringify(await library.render(EVENT, CTX))) throw new Error(`${c.name}: outputs differ`);
    await run(`${c.name}, ${isFastPath(fast) ? 'fast path' : 'library (not in the subset)'}`, () => compiled.render(EVENT, CTX));
    // The library alone, wrapped as compileTransform wraps every renderer.
    await run(`${c.name}, library only`, async () => {
      try {
        return await library.render(EVENT, CTX);
      } catch (err) {
        throw toRenderError(err);
      }
    });
  }

  const header = ['kind', 'renders/s', 'µs/render'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

await main();
