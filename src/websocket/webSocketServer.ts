import type { ClientAddressOf } from '../http/clientAddress';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, subscribe, type ExecutionArgs, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Execute } from '../execution/compiledExecution';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Authenticate, Credentials } from '../auth/authenticate';
import type { Viewer } from '../auth/viewer';
import type { ClientIdentityResolver } from '../context/clientIdentity';
import type { GraphQLContext } from '../context/GraphQLContext';
import type { DatabaseWork } from '../db/databaseWork';
import { newDatabaseWork } from '../db/databaseWork';
import { beforeDeadline, PAST_DEADLINE } from '../deadline';
import { GatewayError, ServiceUnavailableError } from '../errors';
import { logUnexpectedErrors } from '../server/formatError';
import type { PolicyPipeline } from '../pipeline/pipeline';
import { cachedBodyOf } from '../policies/responseCachePolicy';
import { newRequestState, type RequestState, type ResponseBody } from '../pipeline/requestState';
import { withTraceId } from '../pipeline/responseEnvelope';
import { startRequestTrace, traceContext, type RequestTrace } from '../observability/tracing';
import { checkSentOperation, idempotencyKeyOf, type SentOperationLimits } from '../pipeline/sentOperation';
import type { TrustedDocuments } from '../persistedDocuments/trustedDocuments';
import type { DocumentCache } from './documentCache';

/** Close codes the server uses, beyond graphql-ws's own (documented in docs/mutations.md, "Subscriptions"). */
export const CLOSE_CODE = {
  /** The credentials are not (or no longer) valid: expired token, revoked key. Reconnect with fresh ones. */
  CREDENTIALS_REJECTED: 4403,
  /** No operation ran for WS_IDLE_TIMEOUT_MS. */
  IDLE: 1000,
} as const;

export interface WebSocketServerOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  /** How queries and mutations run: the HTTP path's executor (subscriptions use graphql-js's subscribe). */
  execute: Execute;
  pipeline: PolicyPipeline;
  documents: DocumentCache;
  /** Trusted documents by id, as over HTTP; automatic persisted queries are HTTP only (PERSISTED_QUERY_NOT_SUPPORTED). */
  trustedDocuments: TrustedDocuments;
  authenticate: Authenticate;
  /** RATE_LIMITED when the client's bucket is empty: checked before any GraphQL work. */
  refuseIfThrottled: (viewer: Viewer | null, clientAddress: string) => Promise<GatewayError | undefined>;
  /** The client's address, as HTTP requests have it: the per-client connection limit and anonymous buckets are keyed by it. */
  clientAddressOf: ClientAddressOf;
  /** Records an operation refused before the pipeline ran (malformed, unparseable, throttled): its errors. */
  observeRefusal?: (errors: readonly GraphQLFormattedError[], durationMs: number) => void;
  createContext: (
    request: { traceId: string; clientAddress: string; clientName?: string; clientVersion?: string; work: DatabaseWork },
    viewer: Viewer | null,
  ) => GraphQLContext;
  clientIdentity: ClientIdentityResolver;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  logger: Logger;
  limits: SentOperationLimits & {
    maxPayloadBytes: number;
    maxConnections: number;
    /** Open connections from one IP address: one client cannot take every slot. */
    maxConnectionsPerClient: number;
    idleTimeoutMs: number;
    requestTimeoutMs: number;
    /** How often an API key is verified again while its connection stays open. */
    apiKeyRecheckMs: number;
  };
}

interface Connection {
  credentials: Credentials;
  viewer: Viewer | null;
  clientAddress: string;
  clientName: string | undefined;
  clientVersion: string | undefined;
  lastActiveAt: number;
  operations: Map<string, RequestState>;
  watch?: NodeJS.Timeout;
  close: (code: number, reason: string) => void;
  activeOperations: () => number;
}

type ConnectionParams = Record<string, unknown> | undefined;

/**
 * GraphQL over WebSocket (the graphql-ws protocol) at /graphql: queries, mutations and
 * subscriptions, through the same policy pipeline as HTTP, with the same limits and the same
 * error envelope. The client authenticates in connection_init's payload
 * ({ authorization: "Bearer ..." } or { "x-api-key": "..." }); the credentials are verified
 * again for every operation and while the connection stays open (at the token's expiry, and
 * every API_KEY_CACHE_MS for a key): credentials that no longer verify refuse the operation
 * and close the connection with 4403, ending its subscriptions. Connections are capped in all
 * (WS_MAX_CONNECTIONS: 503 at the upgrade) and per IP address (WS_MAX_CONNECTIONS_PER_CLIENT:
 * 429), and closed when idle (WS_IDLE_TIMEOUT_MS).
 */
export function startWebSocketServer(options: WebSocketServerOptions) {
  const { pipeline, documents, authenticate, limits, logger } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayloadBytes });
  const connections = new Set<Connection>();
  const states = new WeakMap<GraphQLContext, RequestState>();
  /** Each operation's span and trace context, from its subscribe message to its completion. */
  const traces = new WeakMap<RequestState, RequestTrace>();
  /** Results the pipeline already completed (queries and mutations): sent as they are. */
  const completed = new WeakSet<object>();
  /** Errors already formatted and stamped (refusals): sent as they are. */
  const enveloped = new WeakSet<GraphQLError>();

  const openByAddress = new Map<string, number>();
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname !== '/graphql') return rejectUpgrade(socket, 404, 'Not Found');
    if (wss.clients.size >= limits.maxConnections) return rejectUpgrade(socket, 503, 'Service Unavailable', { 'retry-after': '5' });
    const address = options.clientAddressOf(request);
    if ((openByAddress.get(address) ?? 0) >= limits.maxConnectionsPerClient) return rejectUpgrade(socket, 429, 'Too Many Requests', { 'retry-after': '5' });
    wss.handleUpgrade(request, socket, head, (ws) => {
      // Counted once upgraded: a handshake that fails never opens a connection.
      openByAddress.set(address, (openByAddress.get(address) ?? 0) + 1);
      ws.once('close', () => {
        const left = (openByAddress.get(address) ?? 1) - 1;
        if (left > 0) openByAddress.set(address, left);
        else openByAddress.delete(address);
      });
      wss.emit('connection', ws, request);
    });
  };
  options.httpServer.on('upgrade', onUpgrade);

  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const connection of connections) {
        if (connection.activeOperations() === 0 && now - connection.lastActiveAt > limits.idleTimeoutMs) {
          connection.close(CLOSE_CODE.IDLE, 'Idle connection closed');
        }
      }
    },
    Math.max(100, Math.min(1_000, limits.idleTimeoutMs / 2)),
  );
  sweep.unref();

  /** Re-verifies the connection's credentials at the token's expiry, or periodically for an API key. */
  const watchCredentials = (connection: Connection) => {
    const viewer = connection.viewer;
    if (!viewer) return;
    const delay = viewer.expiresAt !== null ? Math.max(1_000, viewer.expiresAt - Date.now()) : limits.apiKeyRecheckMs;
    connection.watch = setTimeout(
      async () => {
        try {
          connection.viewer = await authenticate(connection.credentials);
          watchCredentials(connection);
        } catch (error) {
          connection.close(CLOSE_CODE.CREDENTIALS_REJECTED, closeReason(error));
        }
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    connection.watch.unref();
  };

  const toBody = (result: ExecutionResult, state: RequestState): ResponseBody => {
    if (result.errors?.length) logUnexpectedErrors(logger, result.errors, state.traceId);
    return {
      ...(result.data !== undefined ? { data: result.data as Record<string, unknown> | null } : {}),
      ...(result.errors ? { errors: result.errors.map((error) => options.formatError(error.toJSON(), error)) } : {}),
      ...(result.extensions ? { extensions: { ...result.extensions } } : {}),
    };
  };

  const refusal = (errors: readonly GraphQLFormattedError[]): GraphQLError[] =>
    errors.map((formatted) => {
      const error = new GraphQLError(formatted.message, { extensions: formatted.extensions });
      enveloped.add(error);
      return error;
    });

  const server = useServer<ConnectionParams, { connection: Connection }>(
    {
      schema: options.schema,
      async onConnect(ctx) {
        const params = ctx.connectionParams ?? {};
        const text = (name: string) => (typeof params[name] === 'string' ? (params[name] as string) : undefined);
        const credentials: Credentials = { authorization: text('authorization'), apiKey: text('x-api-key') };
        let viewer: Viewer | null;
        try {
          viewer = await authenticate(credentials);
        } catch (error) {
          if (!(error instanceof GatewayError)) logger.warn({ err: error }, 'could not authenticate a WebSocket connection');
          return false; // graphql-ws closes with 4403 Forbidden
        }
        const socket = ctx.extra.socket;
        const connection: Connection = {
          credentials,
          viewer,
          clientAddress: options.clientAddressOf(ctx.extra.request),
          clientName: text('apollographql-client-name'),
          clientVersion: text('apollographql-client-version'),
          lastActiveAt: Date.now(),
          operations: new Map(),
          close: (code, reason) => socket.close(code, reason),
          activeOperations: () => Object.keys(ctx.subscriptions).length,
        };
        ctx.extra.connection = connection;
        connections.add(connection);
        watchCredentials(connection);
        return true;
      },
      async onSubscribe(ctx, id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> {
        const connection = ctx.extra.connection!;
        connection.lastActiveAt = Date.now();
        const startedAt = performance.now();
        // Each operation is a trace of its own, or continues the one its extensions.traceparent names.
        const sentTraceparent = (payload.extensions as Record<string, unknown> | undefined)?.traceparent;
        const request = startRequestTrace('WS subscribe', typeof sentTraceparent === 'string' ? { traceparent: sentTraceparent } : {}, {
          'graphql.operation.name': typeof payload.operationName === 'string' ? payload.operationName.slice(0, 200) : '',
        });
        const { traceId } = request;
        const refusedEarly = (errors: GraphQLFormattedError[]) => {
          request.span.end();
          const durationMs = performance.now() - startedAt;
          // Its log line, as a refusal at the HTTP edge gets: the trace id the client got leads here.
          const codes = [...new Set(errors.map((e) => String(e.extensions?.code)))];
          logger.info({ traceId, transport: 'websocket', durationMs: Math.round(durationMs * 10) / 10, codes }, 'refused');
          options.observeRefusal?.(errors, durationMs);
          return refusal(errors);
        };
        const stamped = (error: GraphQLError) => refusedEarly(withTraceId([options.formatError(error.toJSON(), error)], traceId));
        const invalid = checkSentOperation(payload, limits) ?? (await options.refuseIfThrottled(connection.viewer, connection.clientAddress));
        if (invalid) return stamped(invalid);
        const resolved = options.trustedDocuments.resolve(payload, connection.viewer, 'websocket');
        if (resolved instanceof GatewayError) return stamped(resolved);
        const query = resolved.query as string;
        const parsed = documents.get(query);
        if ('errors' in parsed)
          return refusedEarly(
            withTraceId(
              parsed.errors.map((e) => e.toJSON()),
              traceId,
            ),
          );

        const state = newRequestState({
          transport: 'websocket',
          traceId,
          clientAddress: connection.clientAddress,
          client: options.clientIdentity(connection.viewer, connection.clientName, connection.clientVersion),
          documentBytes: Buffer.byteLength(query),
          idempotencyKey: idempotencyKeyOf(payload.extensions),
          work: newDatabaseWork(),
          viewer: connection.viewer,
          verifyViewer: async () => (connection.viewer = await authenticate(connection.credentials)),
          timeoutMs: limits.requestTimeoutMs,
          startedAt,
        });
        traces.set(state, request);
        try {
          await traceContext.with(request.context, () =>
            pipeline.prepare(state, {
              source: query,
              document: parsed.document,
              operationName: payload.operationName ?? undefined,
              variables: payload.variables ?? undefined,
            }),
          );
        } catch (error) {
          const body: ResponseBody = { errors: [options.formatError((error as GraphQLError).toJSON?.() ?? { message: String(error) }, error)] };
          if (!(error instanceof GatewayError)) logger.error({ err: error, traceId }, 'unexpected error');
          await traceContext.with(request.context, () => pipeline.complete(state, body));
          request.span.end();
          if (state.refusedBy === 'authentication') setImmediate(() => connection.close(CLOSE_CODE.CREDENTIALS_REJECTED, closeReason(error)));
          return refusal(body.errors!);
        }
        const contextValue = options.createContext(
          { traceId, clientAddress: connection.clientAddress, clientName: connection.clientName, clientVersion: connection.clientVersion, work: state.work },
          state.viewer,
        );
        if (state.idempotency && 'claim' in state.idempotency) contextValue.idempotencyClaim = state.idempotency.claim;
        states.set(contextValue, state);
        connection.operations.set(id, state);
        return {
          schema: options.schema,
          document: state.executedDocument ?? parsed.document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue,
        };
      },
      async execute(args: ExecutionArgs) {
        const state = states.get(args.contextValue as GraphQLContext)!;
        if (state.idempotency && 'replay' in state.idempotency) return {}; // answered from the store in onOperation
        const cached = cachedBodyOf(state);
        if (cached) return cached as ExecutionResult;
        const execution = Promise.resolve(traceContext.with(traces.get(state)!.context, () => options.execute(args)));
        const result = await beforeDeadline(execution, state.deadline);
        if (result !== PAST_DEADLINE) return result;
        // The client gets a 503 now; the execution goes on, and its outcome is what counts.
        state.lateOutcome = execution.then((late) => toBody(late, state));
        return { errors: [new ServiceUnavailableError(`The operation did not complete within ${limits.requestTimeoutMs} ms: retry shortly.`)] };
      },
      subscribe,
      async onOperation(_ctx, _id, _payload, args, result) {
        const state = states.get(args.contextValue as GraphQLContext);
        if (!state || Symbol.asyncIterator in result) return undefined; // a subscription: each event is completed in onNext
        const replay = state.idempotency && 'replay' in state.idempotency ? state.idempotency.replay : undefined;
        const body = replay ? structuredClone(replay.body) : toBody(result as ExecutionResult, state);
        await traceContext.with(traces.get(state)!.context, () => pipeline.complete(state, body));
        completed.add(body);
        return body as ExecutionResult;
      },
      async onNext(_ctx, _id, _payload, args, result) {
        if (completed.has(result)) return result;
        const state = states.get(args.contextValue as GraphQLContext);
        if (!state) return undefined;
        const body = toBody(result as ExecutionResult, state);
        await pipeline.completeEvent(state, body);
        return body as ExecutionResult;
      },
      onError(ctx, id, _payload, errors) {
        const traceId = ctx.extra.connection?.operations.get(id)?.traceId ?? randomBytes(16).toString('hex');
        const formatted = errors.map((error) =>
          enveloped.has(error) ? error.toJSON() : withTraceId([options.formatError(error.toJSON(), error)], traceId)[0]!,
        );
        return formatted as never;
      },
      onComplete(ctx, id) {
        const connection = ctx.extra.connection;
        if (!connection) return;
        const state = connection.operations.get(id);
        if (state) traces.get(state)?.span.end();
        connection.operations.delete(id);
        connection.lastActiveAt = Date.now();
      },
      onClose(ctx) {
        const connection = ctx.extra.connection;
        if (!connection) return;
        clearTimeout(connection.watch);
        for (const state of connection.operations.values()) traces.get(state)?.span.end();
        connections.delete(connection);
      },
    },
    wss,
  );
  return {
    /** Connections open now. */
    get connections(): number {
      return wss.clients.size;
    },
    /** Operations running over WebSocket now: subscriptions, and queries not yet answered. */
    get operations(): number {
      let running = 0;
      for (const connection of connections) running += connection.operations.size;
      return running;
    },
    async close(): Promise<void> {
      clearInterval(sweep);
      options.httpServer.off('upgrade', onUpgrade);
      for (const connection of connections) clearTimeout(connection.watch);
      await server.dispose();
    },
  };
}

function rejectUpgrade(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  const lines = [`HTTP/1.1 ${status} ${text}`, 'connection: close', 'content-length: 0', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${lines.join('\r\n')}\r\n\r\n`);
}

/** A close reason says why, within the 123 bytes a close frame allows. */
function closeReason(error: unknown): string {
  const message = error instanceof GatewayError ? error.message : 'credentials could not be verified';
  return `Forbidden: ${message}`.slice(0, 120);
}
