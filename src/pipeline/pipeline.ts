import type { DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import type { AnalysisCache } from '../analysis/analysisCache';
import { inSpan } from '../observability/tracing';
import type { RequestState, ResponseBody } from './requestState';

/**
 * One cross-cutting rule of the gateway (limits, authorization, cost, ...), as a step of the
 * pipeline. Steps never walk the document: they read the operation's analysis.
 */
export interface Policy {
  readonly name: string;
  /** Before execution, in the pipeline's order; refuses the request by throwing a coded error. */
  prepare?(state: RequestState): void | Promise<void>;
  /**
   * After execution, or after a refusal (then `state.refusedBy` names the step), in the same
   * order: completes the response (extensions, errors, headers) and records the outcome.
   */
  complete?(state: RequestState, body: ResponseBody): void | Promise<void>;
  /** For each event of a subscription (whose operation was prepared once): what each event needs, no more. */
  completeEvent?(state: RequestState, body: ResponseBody): void | Promise<void>;
}

/**
 * The one place that runs the policies, in a fixed order, for every transport: the HTTP
 * adapter (an Apollo Server plugin) and the WebSocket server both call `prepare` once the
 * document is parsed and validated, execute, then call `complete`. Apollo runs the same hook
 * of different plugins concurrently, so the order lives here, not across plugins.
 */
export class PolicyPipeline {
  constructor(
    private readonly analyses: AnalysisCache,
    private readonly policies: readonly Policy[],
    private readonly logger: Logger,
  ) {}

  /** The steps' names, in order. */
  get order(): string[] {
    return this.policies.map((p) => p.name);
  }

  /**
   * Analyses the operation (once per document, from the cache) and runs every step's
   * `prepare`. A document without the requested operation is left to execution, which
   * reports it; no policy applies to it.
   */
  async prepare(
    state: RequestState,
    sent: { source: string; document: DocumentNode; operationName: string | undefined; variables: Record<string, unknown> | undefined },
  ): Promise<void> {
    const analysis = this.analyses.get(sent.document, sent.operationName);
    if (!analysis) return;
    state.operation = { ...sent, analysis, request: analysis.forVariables(sent.variables) };
    state.executedDocument = sent.document;
    const attributes = { 'graphql.operation.type': analysis.operationType, 'graphql.operation.name': analysis.operation.name?.value ?? '' };
    await inSpan('gateway.policies', attributes, async (span) => {
      for (const policy of this.policies) {
        if (!policy.prepare) continue;
        try {
          await policy.prepare(state);
        } catch (error) {
          state.refusedBy = policy.name;
          span.setAttribute('gateway.refused_by', policy.name);
          throw error;
        }
      }
    });
  }

  /**
   * Runs every step's `complete`. A step that fails is logged and skipped: the client still
   * gets its response, completed by the other steps.
   */
  async complete(state: RequestState, body: ResponseBody): Promise<void> {
    await this.runCompletion(state, body, 'complete');
  }

  /** Completes one event of a subscription (authorization of its data, the error envelope). */
  async completeEvent(state: RequestState, body: ResponseBody): Promise<void> {
    await this.runCompletion(state, body, 'completeEvent');
  }

  private async runCompletion(state: RequestState, body: ResponseBody, hook: 'complete' | 'completeEvent'): Promise<void> {
    for (const policy of this.policies) {
      const step = policy[hook];
      if (!step) continue;
      try {
        await step.call(policy, state, body);
      } catch (error) {
        this.logger.error({ err: error, traceId: state.traceId, step: policy.name }, 'a policy failed to complete the response');
      }
    }
  }
}
