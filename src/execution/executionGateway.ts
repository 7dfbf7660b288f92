import type { GatewayInterface } from '@apollo/server-gateway-interface';
import { printSchema, type GraphQLSchema } from 'graphql';
import type { Execute } from './compiledExecution';

/**
 * Apollo Server runs a custom executor only through its gateway interface: this one serves a
 * fixed local schema (no supergraph, never updated) and executes with `execute`. Apollo still
 * parses, validates and runs every plugin hook as it does for a plain schema.
 */
export function executionGateway(schema: GraphQLSchema, execute: Execute): GatewayInterface {
  return {
    onSchemaLoadOrUpdate(callback) {
      // Apollo subscribes before load() and needs the schema before any request.
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    async load() {
      return {
        executor: async (requestContext) =>
          execute({
            document: requestContext.document,
            // What the client asked for (Apollo's resolved name is null when none matched: the
            // executor must then answer the error, as graphql-js does).
            operationName: requestContext.request.operationName,
            variableValues: requestContext.request.variables,
            contextValue: requestContext.context,
          }),
      };
    },
    async stop() {},
  };
}
