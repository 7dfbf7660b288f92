import { execute, getOperationAST, GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { failSpan, tracer } from '../observability/tracing';

export interface ExecutionRequest {
  document: DocumentNode;
  operationName?: string | null;
  variableValues?: Record<string, unknown> | null;
  contextValue?: unknown;
}

export type Execute = (request: ExecutionRequest) => ExecutionResult | Promise<ExecutionResult>;

export interface CompiledExecution {
  execute: Execute;
  /** Operations compiled so far, and those graphql-jit could not compile (graphql-js runs them). */
  readonly stats: { compiled: number; interpreted: number };
}

/** A document graphql-jit could not compile: graphql-js executes it. */
const INTERPRETED = Symbol('interpreted');

/**
 * Executes queries and mutations with graphql-jit: each (document, operation) is compiled once
 * into a function that walks the selection with plain property reads and calls only the
 * resolvers that exist, instead of graphql-js interpreting the document for every field of
 * every request (a promise and several allocations per field: thousands per nested page).
 *
 * Documents are the parsed ones Apollo caches, or the narrowed ones the authorization plan
 * caches per document, so a WeakMap keyed by their operations compiles each once and forgets
 * it with them.
 * graphql-js stays the reference: it executes whatever graphql-jit cannot compile, and answers
 * a request whose variables do not coerce, so that those errors are graphql-js's own (Apollo
 * recognises them to answer 400 BAD_USER_INPUT).
 */
export function createCompiledExecution(schema: GraphQLSchema): CompiledExecution {
  const stats = { compiled: 0, interpreted: 0 };
  // Keyed by the operation's node, not by the name a client sent: one entry per operation the
  // document holds, whatever names are asked for.
  const compiled = new WeakMap<OperationDefinitionNode, CompiledQuery | typeof INTERPRETED>();

  function compiledFor(document: DocumentNode, operationName: string | null | undefined): CompiledQuery | typeof INTERPRETED {
    const operation = getOperationAST(document, operationName);
    // No such operation, or no name for a document of several: graphql-js answers the error.
    if (!operation) return INTERPRETED;
    let query = compiled.get(operation);
    if (query === undefined) {
      const result = compileQuery(schema, document, operation.name?.value, { disablingCapturingStackErrors: true });
      query = isCompiledQuery(result) ? result : INTERPRETED;
      stats[query === INTERPRETED ? 'interpreted' : 'compiled'] += 1;
      compiled.set(operation, query);
    }
    return query;
  }

  const interpret = ({ document, operationName, variableValues, contextValue }: ExecutionRequest) =>
    execute({ schema, document, operationName, variableValues, contextValue });

  const executeCompiled: Execute = (request) => {
    const query = compiledFor(request.document, request.operationName);
    if (query === INTERPRETED) return interpret(request);
    const result = query.query(undefined, request.contextValue, request.variableValues ?? {});
    if ('then' in result) return result.then(withGraphQLErrors);
    // No data at all: the variables did not coerce, and nothing ran. graphql-js says why.
    if (result.data === undefined && result.errors?.length) return interpret(request);
    return withGraphQLErrors(result);
  };
  // The execution's span: the DataLoader batches and SQL statements it causes are its children.
  const executeTraced: Execute = (request) =>
    tracer.startActiveSpan('graphql.execute', (span) => {
      const end = (result: ExecutionResult) => {
        if (result.errors?.length) span.setAttribute('graphql.errors', result.errors.length);
        span.end();
        return result;
      };
      try {
        const result = executeCompiled(request);
        return 'then' in result ? result.then(end, (error: unknown) => (failSpan(span, error), span.end(), Promise.reject(error))) : end(result);
      } catch (error) {
        failSpan(span, error);
        span.end();
        throw error;
      }
    });
  return { execute: executeTraced, stats };
}

/**
 * graphql-jit's errors inherit from GraphQLError without being built by it: their cause
 * (`originalError`) is not enumerable, so Apollo, which copies an error's fields to add its
 * code, would lose it, and with it what formatError reads (a database failure, a coded
 * refusal). Rebuilt here, on the rare responses that have errors.
 */
function withGraphQLErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((error) => {
    const rebuilt = new GraphQLError(error.message, { path: error.path, originalError: error.originalError, extensions: error.extensions });
    // The locations graphql-jit computed at compile time (GraphQLError derives them from nodes it does not have).
    if (error.locations) Object.assign(rebuilt, { locations: error.locations });
    return rebuilt;
  });
  return { ...result, errors };
}
