// A small ERP simulator: sends employee webhooks to flowbridge, as an ERP would.
//   node bin/run-ts.js demo/erp-simulator.ts [--url http://127.0.0.1:8080/webhooks/erp-employees] [--count 10] [--rate 5]
//   … --lifecycle  (hired → changed → terminated per employee, for the rest-sync example:
//                   --url http://127.0.0.1:8080/webhooks/erp-employee-lifecycle)
import { randomUUID } from 'node:crypto';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const url = flag('url', 'http://127.0.0.1:8080/webhooks/erp-employees');
const count = Number(flag('count', '10'));
const rate = Number(flag('rate', '5'));

const GIVEN = ['Anna', 'Ben', 'Chen', 'Dana', 'Emil', 'Fatima', 'Goran', 'Hana'];
const FAMILY = ['Jones', 'Okafor', 'Li', 'Novak', 'Schmidt', 'Haddad', 'Petrov', 'Sato'];
const DEPARTMENTS = [
  { code: 'ENG', name: 'Engineering' },
  { code: 'OPS', name: 'Operations' },
  { code: 'SAL', name: 'Sales' },
];
const STATUSES = ['ACTIVE', 'ACTIVE', 'ACTIVE', 'ON_LEAVE', 'TERMINATED'];
const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]!;

const lifecycle = args.includes('--lifecycle');
let accepted = 0;
if (lifecycle) {
  // Each employee is hired, changed twice and terminated; employees interleave, so per-employee order matters.
  const steps = ['hr.employee.hired', 'hr.employee.changed', 'hr.employee.changed', 'hr.employee.terminated'];
  const people = Array.from({ length: Math.max(1, Math.ceil(count / steps.length)) }, (_, i) => ({ n: `E-${3000 + i}`, given: pick(GIVEN), family: pick(FAMILY) }));
  for (let s = 0; s < steps.length; s++) {
    for (const p of people) {
      const body = {
        event: steps[s],
        changedAt: new Date().toISOString(),
        employee: { personnelNumber: p.n, givenName: p.given, familyName: p.family, email: `${p.given}.${p.family}@example.com`, department: pick(DEPARTMENTS), employmentStatus: steps[s] === 'hr.employee.terminated' ? 'TERMINATED' : 'ACTIVE', weeklyHours: pick([20, 30, 40]), location: pick(['Berlin', 'Hamburg', 'Munich']) },
      };
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-erp-delivery-id': randomUUID() }, body: JSON.stringify(body) });
      if (res.status === 202) accepted++;
      console.log(`${res.status} ${p.n} ${steps[s]}`);
      await new Promise((r) => setTimeout(r, 1000 / rate));
    }
  }
  console.log(`sent ${people.length * steps.length}, accepted ${accepted}`);
  process.exit(0);
}
for (let i = 0; i < count; i++) {
  const given = pick(GIVEN);
  const family = pick(FAMILY);
  const body = {
    event: 'erp.employee.changed',
    changedAt: new Date().toISOString(),
    employee: {
      personnelNumber: `E-${1000 + Math.floor(Math.random() * 50)}`,
      givenName: given,
      familyName: family,
      email: `${given}.${family}@example.com`,
      department: pick(DEPARTMENTS),
      employmentStatus: pick(STATUSES),
      weeklyHours: pick([20, 30, 40]),
      location: pick(['Berlin', 'Hamburg', 'Munich']),
    },
  };
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-erp-delivery-id': randomUUID() }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status === 202) accepted++;
  console.log(`${res.status} ${body.employee.personnelNumber} ${body.employee.employmentStatus.padEnd(10)} ${text}`);
  await new Promise((r) => setTimeout(r, 1000 / rate));
}
console.log(`sent ${count}, accepted ${accepted}`);
