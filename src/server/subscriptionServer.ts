import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { GraphQLError, parse, specifiedRules, validate, type ExecutionArgs, type GraphQLSchema, type ValidationRule } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { AccessRules } from '../auth/accessRules';
import { planAuthorization } from '../auth/authorizationPlan';
import type { Authenticate } from '../auth/authenticate';
import type { Viewer } from '../auth/viewer';
import type { GraphQLContext } from '../context/GraphQLContext';

export interface SubscriptionServerOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  accessRules: AccessRules;
  validationRules: ValidationRule[];
  maxTokens: number;
  authenticate: Authenticate;
  createContext: (request: { traceId: string; clientAddress: string }, viewer: Viewer | null) => GraphQLContext;
  formatError: (error: GraphQLError) => ReturnType<GraphQLError['toJSON']>;
}

type Extra = { viewer: Viewer | null; clientAddress: string };

/**
 * GraphQL subscriptions over WebSocket (the graphql-ws protocol) at /graphql. The client
 * authenticates once, in connection_init's payload ({ authorization: "Bearer ..." } or
 * { "x-api-key": "..." }); bad credentials close the socket with 4403. Each operation is
 * validated with the server's limits and authorized like an HTTP request, but all or nothing:
 * a subscription selecting a field the viewer may not read is refused.
 */
export function startSubscriptionServer(options: SubscriptionServerOptions) {
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql' });
  const server = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema: options.schema,
      async onConnect(ctx) {
        const params = ctx.connectionParams ?? {};
        const credential = (name: string) => (typeof params[name] === 'string' ? (params[name] as string) : undefined);
        try {
          ctx.extra.viewer = await options.authenticate({ authorization: credential('authorization'), apiKey: credential('x-api-key') });
        } catch {
          return false;
        }
        ctx.extra.clientAddress = ctx.extra.request.socket.remoteAddress ?? 'unknown';
        return true;
      },
      onSubscribe(ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] {
        let document;
        try {
          document = parse(payload.query, { maxTokens: options.maxTokens });
        } catch (error) {
          return [error as GraphQLError];
        }
        const errors = validate(options.schema, document, [...specifiedRules, ...options.validationRules]);
        if (errors.length) return errors;
        const viewer = ctx.extra.viewer ?? null;
        const plan = planAuthorization({
          schema: options.schema,
          rules: options.accessRules,
          document,
          operationName: payload.operationName,
          variables: payload.variables ?? undefined,
          scopes: viewer?.scopes,
        });
        if (plan.denials.length) {
          return plan.denials.map((d) => new GraphQLError(d.message, { extensions: { code: d.code } }));
        }
        return {
          schema: options.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: options.createContext({ traceId: randomUUID(), clientAddress: ctx.extra.clientAddress ?? 'unknown' }, viewer),
        };
      },
      onNext(_ctx, _id, _payload, _args, result) {
        if (!result.errors?.length) return undefined;
        return { ...result, errors: result.errors.map((error) => options.formatError(error)) };
      },
    },
    wsServer,
  );
  return {
    async close(): Promise<void> {
      await server.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
