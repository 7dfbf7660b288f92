import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type DocumentNode } from 'graphql';
import { estimateCost, TooManySelectionsError, type CostModel } from '../complexity/costModel';
import { QueryTooComplexError } from '../errors';
import type { GraphQLContext } from '../context/GraphQLContext';

/** The cost of the request as `extensions.cost` reports it (the rate limiter adds throttleStatus). */
export interface RequestCost {
  requestedQueryCost: number;
  actualQueryCost?: number;
  maximumQueryCost: number;
}

/** The estimate, per request: read by the rate limiter, which charges it before execution. */
export const requestCosts = new WeakMap<GraphQLContext, RequestCost>();

const MAX_CACHED_VARIANTS = 64;

/**
 * Prices the selected operation before execution, with its variables (which Apollo's
 * validation rules cannot see), and rejects it with QUERY_TOO_COMPLEX above the maximum.
 * Estimates are cached per document and variables: Apollo hands the same document object
 * to every request with the same query text. After execution it reports, in
 * `extensions.cost`, the estimate, the objects actually resolved and the database work.
 */
export function complexityPlugin(model: CostModel, maximumQueryCost: number): ApolloServerPlugin<GraphQLContext> {
  const cache = new WeakMap<DocumentNode, Map<string, number>>();
  const estimate = (document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown> | undefined) => {
    let variants = cache.get(document);
    if (!variants) cache.set(document, (variants = new Map()));
    const key = `${operationName ?? ''}\u0000${JSON.stringify(variables ?? {})}`;
    let cost = variants.get(key);
    if (cost === undefined) {
      try {
        cost = estimateCost(model, document, operationName, variables);
      } catch (error) {
        if (!isTooLargeToPrice(error)) return undefined; // bad variables: execution reports them
        cost = Number.POSITIVE_INFINITY;
      }
      if (variants.size >= MAX_CACHED_VARIANTS) variants.delete(variants.keys().next().value!);
      variants.set(key, cost);
    }
    return cost;
  };

  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operationName, request, contextValue }) {
          const cost = estimate(document, operationName ?? undefined, request.variables);
          if (cost === undefined) return;
          requestCosts.set(contextValue, { requestedQueryCost: cost, maximumQueryCost });
          if (cost > maximumQueryCost) throw new QueryTooComplexError(cost, maximumQueryCost);
        },
        async willSendResponse({ response, contextValue }) {
          const cost = requestCosts.get(contextValue);
          if (!cost || cost.requestedQueryCost > cost.maximumQueryCost || response.body.kind !== 'single') return;
          cost.actualQueryCost = countObjects(response.body.singleResult.data);
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            cost: { ...cost, database: { ...contextValue.work }, ...(response.body.singleResult.extensions?.cost as object | undefined) },
          };
        },
      };
    },
  };
}

/** The objects a response holds below its root: the "actual cost" of the default model. */
function countObjects(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let count = 0;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    if (child !== null && typeof child === 'object') count += (Array.isArray(child) ? 0 : 1) + countObjects(child);
  }
  return count;
}

function isTooLargeToPrice(error: unknown): boolean {
  return error instanceof TooManySelectionsError || (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message));
}
