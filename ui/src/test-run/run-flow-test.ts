// The test run: the flow compiled and run on one sample event in the browser, with the same
// flows/ code the router uses (compileFlow, prepareRule, runRule), but nothing delivered.
// Each node reports what it received and produced; filters say which condition failed.
import { FlowbridgeError } from '../../../flows/error-codes.ts';
import type { FlowDocument } from '../../../flows/flow-document.ts';
import { compileFlow, type RuleDefinition } from '../../../flows/flow.compiler.ts';
import type { NodeCatalog } from '../../../flows/node-kinds.ts';
import { prepareRule, runRule, type StepReport } from '../../../flows/rule-runtime.ts';
import { describeMismatch, explainPattern } from '../model/pattern-explain.ts';

export interface StepResult {
  nodeId: string;
  kind: 'filter' | 'transform';
  input: unknown;
  output?: unknown;
  matched?: boolean;
  /** Filters that did not match: one sentence per failed condition. */
  why?: string[];
  error?: string;
}

export interface PathResult {
  ruleId: string;
  nodeIds: string[];
  outcome: 'deliver' | 'filtered' | 'error';
  /** The filter that stopped the event, or the transform that failed. */
  stoppedAt?: string;
  steps: StepResult[];
  /** The body the target would receive. */
  body?: unknown;
  output?: 'json' | 'text';
  error?: string;
  target: RuleDefinition['target'];
}

export type NodeRunStatus = 'passed' | 'stopped' | 'error' | 'would-deliver' | 'not-reached';

export interface NodeRunResult {
  nodeId: string;
  status: NodeRunStatus;
  input?: unknown;
  output?: unknown;
  why?: string[];
  error?: string;
}

export interface TestRunResult {
  event: Record<string, unknown>;
  paths: PathResult[];
  nodes: Record<string, NodeRunResult>;
}

/**
 * Runs every source → target path of `doc` that starts at `sourceNodeId` (all paths when
 * undefined) on `event`. Throws FlowbridgeError ERR_FLOW_INVALID (with every problem) when
 * the flow cannot be compiled.
 */
export async function runFlowTest(doc: FlowDocument, catalog: NodeCatalog, event: Record<string, unknown>, sourceNodeId?: string): Promise<TestRunResult> {
  const compiled = compileFlow(doc, catalog, { flowId: doc.id ?? 'draft', version: doc.version ?? 1 });
  const rules = compiled.rules.filter((r) => sourceNodeId === undefined || r.path[0] === sourceNodeId);
  const paths: PathResult[] = [];
  const nodes: Record<string, NodeRunResult> = {};
  const note = (r: NodeRunResult) => {
    const prev = nodes[r.nodeId];
    // A node on several paths sees the same input on each; the most telling result wins.
    if (!prev || rank(r.status) > rank(prev.status)) nodes[r.nodeId] = r;
  };
  for (const def of rules) {
    const rule = prepareRule(def);
    const steps: StepResult[] = [];
    const patterns = new Map(def.steps.flatMap((x) => (x.kind === 'filter' ? [[x.nodeId, x.pattern] as const] : [])));
    note({ nodeId: def.path[0]!, status: 'passed', output: event });
    const onStep = (s: StepReport) => {
      const step: StepResult = { nodeId: s.nodeId, kind: s.kind, input: s.input };
      if (s.kind === 'filter') {
        step.matched = s.matched;
        if (!s.matched) step.why = describeMismatch(explainPattern(patterns.get(s.nodeId), s.input));
      } else step.output = s.output;
      steps.push(step);
    };
    const result: PathResult = { ruleId: def.id, nodeIds: def.path, outcome: 'deliver', steps, target: def.target };
    try {
      const outcome = await runRule(rule, event, { ruleName: def.name, flowId: def.flowId, ingestionTime: new Date().toISOString() }, { onStep });
      if (outcome.kind === 'filtered') {
        result.outcome = 'filtered';
        result.stoppedAt = outcome.nodeId;
      } else {
        result.body = outcome.body;
        result.output = outcome.output;
      }
    } catch (err) {
      const fe = err instanceof FlowbridgeError ? err : undefined;
      const nodeId = (fe?.details.find((d) => typeof d === 'object' && d !== null && 'nodeId' in d) as { nodeId?: string } | undefined)?.nodeId;
      result.outcome = 'error';
      result.error = err instanceof Error ? err.message : String(err);
      if (nodeId) {
        result.stoppedAt = nodeId;
        const input = steps.length ? (steps[steps.length - 1]!.output ?? steps[steps.length - 1]!.input) : event;
        steps.push({ nodeId, kind: 'transform', input, error: result.error });
      }
    }
    for (const s of steps) {
      if (s.error) note({ nodeId: s.nodeId, status: 'error', input: s.input, error: s.error });
      else if (s.kind === 'filter') note({ nodeId: s.nodeId, status: s.matched ? 'passed' : 'stopped', input: s.input, output: s.matched ? s.input : undefined, why: s.why });
      else note({ nodeId: s.nodeId, status: 'passed', input: s.input, output: s.output });
    }
    if (result.outcome === 'deliver') note({ nodeId: def.target.nodeId, status: 'would-deliver', input: result.body });
    paths.push(result);
  }
  for (const n of doc.nodes) if (!nodes[n.id]) nodes[n.id] = { nodeId: n.id, status: 'not-reached' };
  return { event, paths, nodes };
}

function rank(s: NodeRunStatus): number {
  return { 'not-reached': 0, stopped: 1, passed: 2, 'would-deliver': 3, error: 4 }[s];
}

/** Reads a pasted sample: a JSON object, else a readable error. */
export function parseSample(text: string): { value: Record<string, unknown> } | { error: string } {
  if (!text.trim()) return { error: 'Paste a sample event (a JSON object) first.' };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { error: `The sample is not valid JSON: ${(err as Error).message}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: 'The sample must be a JSON object.' };
  return { value: v as Record<string, unknown> };
}

/** Whether a JSON object is a CloudEvent in structured form (rather than a raw webhook body). */
export function isCloudEvent(v: Record<string, unknown>): boolean {
  return typeof v.specversion === 'string' && typeof v.id === 'string' && typeof v.source === 'string' && typeof v.type === 'string';
}
