import type { SourceEvent } from './connector.ts';

/**
 * The CloudEvent (structured JSON form) for an event a source produced, with the source
 * node's `source` attribute. Ids stay the source's, so a repeated poll deduplicates at ingest.
 */
export function sourceEventToCloudEvent(event: SourceEvent, source: string): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: event.id,
    source,
    type: event.type,
    ...(event.subject !== undefined ? { subject: event.subject } : {}),
    ...(event.time !== undefined ? { time: event.time } : {}),
    datacontenttype: 'application/json',
    // Extensions never overwrite the attributes above.
    ...Object.fromEntries(Object.entries(event.extensions ?? {}).filter(([k]) => /^[a-z0-9]{1,20}$/.test(k) && !['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'data', 'dataschema'].includes(k))),
    data: event.data,
  };
}
