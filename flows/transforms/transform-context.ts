// What a render knows besides its input: the original event and where it is running.

export interface TransformContext {
  /** The original event, structured JSON form; chains pass the previous output as `input`. */
  event: unknown;
  ruleName?: string;
  flowId?: string;
  ruleArn?: string;
  /** RFC 3339, when flowbridge accepted the event. */
  ingestionTime?: string;
}

/** The context as one plain object, for expressions: `$flowbridge` in JSONata, `@flowbridge` in Handlebars. */
export function describeContext(ctx: TransformContext): Record<string, unknown> {
  return {
    event: ctx.event,
    ruleName: ctx.ruleName,
    flowId: ctx.flowId,
    ruleArn: ctx.ruleArn,
    ingestionTime: ctx.ingestionTime,
  };
}
