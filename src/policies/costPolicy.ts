import { estimateCost, MUTATION_COST, OBJECT_COST, type CostModel } from '../complexity/costModel';
import { QueryTooComplexError } from '../errors';
import type { Policy } from '../pipeline/pipeline';
import { forEachResponseObject } from '../pipeline/responseObjects';

/**
 * Prices the operation before execution, with its variables (cached with the analysis per
 * set of variables), and refuses it with QUERY_TOO_COMPLEX above the maximum. After
 * execution it reports, in `extensions.cost`, the estimate, the objects actually resolved
 * and the database work (the rate limiter adds the throttle status).
 */
export function costPolicy(model: CostModel, maximumQueryCost: number): Policy {
  return {
    name: 'cost',
    prepare(state) {
      const { request } = state.operation!;
      const requestedQueryCost = request.cached('cost', () => estimateCost(model, request));
      state.cost = { requestedQueryCost, maximumQueryCost };
      if (requestedQueryCost > maximumQueryCost) throw new QueryTooComplexError(requestedQueryCost, maximumQueryCost);
    },
    complete(state, body) {
      const cost = state.cost;
      if (!cost || state.refusedBy === 'cost' || body.data === undefined) return;
      cost.actualQueryCost = countObjects(body.data) + mutationWeight(state.operation?.analysis.operationType, body.data);
      const { statements, batches, rows } = state.work;
      body.extensions = {
        ...body.extensions,
        cost: { ...(body.extensions?.cost as object | undefined), ...cost, database: { statements, batches, rows } },
      };
    },
  };
}

/**
 * A mutation that ran weighs its @cost default (10) whatever it returned: the payload counted as
 * one object, the rest is added here, so that the refund never gives back the write itself.
 */
function mutationWeight(operationType: string | undefined, data: Record<string, unknown> | null): number {
  if (operationType !== 'mutation' || !data) return 0;
  return Object.values(data).filter((payload) => payload !== null).length * (MUTATION_COST - OBJECT_COST);
}

/** The objects a response holds below its root: the "actual cost" of the default model. */
export function countObjects(value: unknown): number {
  let count = 0;
  forEachResponseObject(value, (object) => {
    if (object !== value) count += 1;
  });
  return count;
}
