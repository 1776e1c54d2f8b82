// The shapes the editor reads from the management API. The server owns them; these are the
// subset the editor relies on, written out because ui/ may import only flows/.
import type { Problem } from '../../../flows/error-codes.ts';
import type { FlowDocument } from '../../../flows/flow-document.ts';
import type { NodeRole } from '../../../flows/node-kinds.ts';

export interface FlowSummary {
  id: string;
  name: string;
  version: number;
  deployedVersion: number | undefined;
  updatedAt: string;
}

export interface FlowView {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  doc: FlowDocument;
  deployedVersion: number | undefined;
  problems: Problem[];
}

export interface FlowVersion {
  version: number;
  updatedAt: string;
  doc: FlowDocument;
}

export interface DeployResult {
  flowId: string;
  version: number;
  rules: number;
  webhookSources: string[];
  generation: number;
}

export interface ConnectorInfo {
  id: string;
  nodeType: string;
  version: string;
  title: string;
  summary: string;
  category: string;
  configSchema: object;
  connectionKinds: string[];
  capabilities: { send: boolean; testConnection: boolean };
}

export interface NodeKindInfo {
  type: string;
  role: NodeRole;
  title: string;
  description: string;
  configSchema: object;
  connectionKinds?: string[];
  connectionRequired?: boolean;
}

export interface ConnectorsResponse {
  items: ConnectorInfo[];
  nodeKinds: NodeKindInfo[];
}

export interface TraceEntry {
  at: string;
  kind: string;
  ruleId?: string;
  flowId?: string;
  deliveryId?: string;
  attempt?: number;
  ok?: boolean;
  status?: number;
  durationMs?: number;
  error?: string;
  errorKind?: string;
  responseExcerpt?: string;
  reason?: string;
  nodeId?: string;
  target?: string;
  rules?: number;
  [more: string]: unknown;
}

export interface StoredEventView {
  bus: string;
  streamId: string;
  acceptedAt: string;
  via: string;
  event: Record<string, unknown>;
  trace: TraceEntry[];
}

/** What became of one event in one flow, derived from its trace by the server. */
export type FlowEventStatus = 'delivered' | 'retrying' | 'dead-lettered' | 'filtered' | 'pending' | 'no-match' | 'partial';

export interface FlowEventItem {
  bus: string;
  streamId: string;
  id: string;
  source: string;
  type: string;
  subject?: string;
  acceptedAt: string;
  via: string;
  status: FlowEventStatus;
  /** Deliveries of this event in this flow, by status. */
  deliveries: { delivered: number; retrying: number; deadLettered: number; filtered: number; pending: number };
  attempts: number;
  lastError?: string;
}

export interface FlowEventsPage {
  items: FlowEventItem[];
}

export interface FlowStats {
  flowId: string;
  lastEventAt: string | undefined;
  deadLetters: number;
}

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  durationMs: number;
  ok: boolean;
  status?: number;
  errorKind?: string;
  error?: string;
  responseExcerpt?: string;
}

export interface DeadLetter {
  id: string;
  createdAt: string;
  reason: string;
  lastError: { kind: string; message: string; status?: number; code?: string };
  attempts: DeliveryAttempt[];
  delivery: {
    bus: string;
    streamId: string;
    event: Record<string, unknown>;
    ruleId: string;
    ruleName: string;
    flowId: string;
    flowVersion: number;
    target: { nodeId: string; type: string; name: string; config: Record<string, unknown> };
    body: unknown;
    redrive: number;
  };
}

export interface DeadLetterPage {
  items: DeadLetter[];
  nextCursor?: string;
  total: number;
}

export interface RecentBusEvent {
  bus: string;
  streamId: string;
  acceptedAt: string;
  via: string;
  event: Record<string, unknown>;
}

export interface CapturedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The body as text (UTF-8), or base64 when `bodyEncoding` says so. */
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  capturedAt: string;
}

export interface CaptureState {
  sourceId: string;
  state: 'armed' | 'captured' | 'none';
  armedAt?: string;
  expiresAt?: string;
  request?: CapturedRequest;
}

export interface TargetRequestPreview {
  request: { method: string; url: string; headers: Record<string, string>; body: string | null } | null;
  note?: string;
}

export interface ConnectionView {
  id: string;
  name: string;
  description?: string;
  kind: string;
  /** The connection with its secrets replaced by a mask. */
  masked: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
  health?: { status: 'ok' | 'unhealthy'; message: string; at: string };
  usedBy: { flowId: string; nodeId: string }[];
}

export interface ConnectionsResponse {
  items: ConnectionView[];
  kinds: { kind: string; schema: object }[];
}

export interface BulkRedrive {
  id: string;
  status: 'running' | 'done' | 'failed';
  total: number;
  redriven: number;
  failed: number;
  skipped: number;
  errors: { deadLetterId: string; code: string; message: string }[];
  startedAt: string;
  finishedAt?: string;
}

/** One message of a flow's live stream. */
export type FlowStreamMessage =
  | { type: 'events'; items: FlowEventItem[] }
  | { type: 'stats'; deadLetters: number; deployedVersion: number | null; version: number | null };
