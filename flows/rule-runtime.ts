import { FlowbridgeError } from './error-codes.ts';
import type { RuleDefinition } from './flow.compiler.ts';
import { compilePattern, type CompiledPattern } from './patterns/pattern.ts';
import { compileTransform, type CompiledTransform, type TransformContext } from './transforms/transform.ts';

type PreparedStep =
  | { kind: 'filter'; nodeId: string; pattern: CompiledPattern }
  | { kind: 'transform'; nodeId: string; transform: CompiledTransform };

/** A rule with its patterns and transforms compiled, ready to run per event. */
export interface PreparedRule {
  def: RuleDefinition;
  /** The first step when it is a filter: the router indexes it and skips it when running. */
  leadPattern: CompiledPattern | undefined;
  steps: PreparedStep[];
}

export type RuleOutcome =
  | { kind: 'deliver'; body: unknown; output: 'json' | 'text' }
  | { kind: 'filtered'; nodeId: string };

/** What one step saw and did; for the editor's test run. */
export interface StepReport {
  nodeId: string;
  kind: 'filter' | 'transform';
  input: unknown;
  matched?: boolean;
  output?: unknown;
}

/** Compiles a rule's patterns and transforms once (at deploy or load); throws FlowbridgeError when one is invalid. */
export function prepareRule(def: RuleDefinition): PreparedRule {
  const steps: PreparedStep[] = def.steps.map((s) =>
    s.kind === 'filter'
      ? { kind: 'filter', nodeId: s.nodeId, pattern: compilePattern(s.pattern) }
      : { kind: 'transform', nodeId: s.nodeId, transform: compileTransform(s.transform) },
  );
  const first = steps[0];
  return { def, leadPattern: first?.kind === 'filter' ? first.pattern : undefined, steps };
}

/**
 * Runs a rule's steps on one event (structured JSON form): filters stop it, transforms
 * reshape it, each seeing the previous output. With `leadMatched`, the first filter is
 * taken as already matched (the router's index decided). A transform failure throws a
 * FlowbridgeError whose details name the node.
 */
export async function runRule(
  rule: PreparedRule,
  event: unknown,
  ctx: Omit<TransformContext, 'event'>,
  options: { leadMatched?: boolean; onStep?: (report: StepReport) => void } = {},
): Promise<RuleOutcome> {
  let value: unknown = event;
  let output: 'json' | 'text' = 'json';
  for (let i = 0; i < rule.steps.length; i++) {
    const step = rule.steps[i]!;
    if (step.kind === 'filter') {
      const matched = i === 0 && options.leadMatched ? true : step.pattern.matches(value);
      options.onStep?.({ nodeId: step.nodeId, kind: 'filter', input: value, matched });
      if (!matched) return { kind: 'filtered', nodeId: step.nodeId };
      continue;
    }
    let result: unknown;
    try {
      result = await step.transform.render(value, { ...ctx, event });
    } catch (err) {
      if (err instanceof FlowbridgeError) {
        throw new FlowbridgeError(err.code, `Transform "${step.nodeId}" failed: ${err.message}`, [{ nodeId: step.nodeId }, ...err.details]);
      }
      throw new FlowbridgeError('ERR_TRANSFORM_RENDER', `Transform "${step.nodeId}" failed: ${err instanceof Error ? err.message : String(err)}`, [{ nodeId: step.nodeId }]);
    }
    options.onStep?.({ nodeId: step.nodeId, kind: 'transform', input: value, output: result });
    value = result;
    output = step.transform.output;
  }
  return { kind: 'deliver', body: value, output };
}
