import { DEFAULT_DELIVERY_POLICY } from '../../flows/flow-document.ts';
import { hashString } from '../../flows/hash.ts';
import type { DeadLetter } from '../store/dead-letter-store.ts';
import type { StoredEvent } from '../store/event-store.ts';
import { idempotencyKeyFor, type DeliveryJobData } from './delivery-job.ts';
import { deliveryJobOptions, type DeliveryJob } from './delivery-queues.ts';

export const DEAD_LETTER_EVENT_TYPE = 'flowbridge.deadletter.created';

/** The target id of a policy's dead-letter alert: one queue per flow and alert target config. */
export function alertTargetId(flowId: string, alert: NonNullable<DeliveryJobData['delivery']['deadLetterAlert']>): string {
  return `${flowId}~alert-${hashString(JSON.stringify(alert)).slice(0, 10)}`;
}

/** The `flowbridge.deadletter.created` CloudEvent announcing one new dead letter. */
export function deadLetterEvent(dl: DeadLetter): StoredEvent {
  const d = dl.delivery;
  return {
    specversion: '1.0',
    id: `deadletter.${dl.id}`,
    source: `/flowbridge/buses/${d.bus}/flows/${d.flowId}`,
    type: DEAD_LETTER_EVENT_TYPE,
    subject: dl.id,
    time: dl.createdAt,
    datacontenttype: 'application/json',
    data: {
      deadLetterId: dl.id,
      reason: dl.reason,
      lastError: dl.lastError,
      attempts: dl.attempts.length,
      flowId: d.flowId,
      flowVersion: d.flowVersion,
      ruleId: d.ruleId,
      ruleName: d.ruleName,
      targetId: dl.targetId,
      target: { type: d.target.type, name: d.target.name },
      event: { id: d.event.id, source: d.event.source, type: d.event.type, bus: d.bus },
      createdAt: dl.createdAt,
      links: { deadLetter: `/api/v1/dead-letters/${encodeURIComponent(dl.id)}`, redrive: `/api/v1/dead-letters/${encodeURIComponent(dl.id)}/redrive` },
    },
  };
}

/**
 * The delivery of a dead letter's alert, when its policy names an alert target; the job id
 * is derived from the dead letter's, so a repeated dead-lettering (after a crash) alerts once.
 * An alert's own dead letter raises none.
 */
export function deadLetterAlertJob(dl: DeadLetter): DeliveryJob | undefined {
  const d = dl.delivery;
  const alert = d.delivery.deadLetterAlert;
  if (!alert || d.alert) return undefined;
  const event = deadLetterEvent(dl);
  const data: DeliveryJobData = {
    bus: d.bus,
    streamId: d.streamId,
    event,
    acceptedAt: Date.parse(dl.createdAt),
    ruleId: d.ruleId,
    ruleName: `${d.ruleName} (dead-letter alert)`,
    flowId: d.flowId,
    flowVersion: d.flowVersion,
    target: { nodeId: '~alert', type: alert.type, name: 'dead-letter alert', config: alert.config, ...(alert.connection ? { connection: alert.connection } : {}) },
    delivery: { ...DEFAULT_DELIVERY_POLICY, timeoutMs: d.delivery.timeoutMs },
    body: event,
    output: 'json',
    idempotencyKey: idempotencyKeyFor(d.bus, { source: event.source, id: event.id }, 'deadletter-alert'),
    redrive: 0,
    targetId: alertTargetId(d.flowId, alert),
    alert: true,
  };
  return { data, opts: deliveryJobOptions(`alert.${dl.id}`, data.delivery.maxAttempts) };
}
