import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface WebSocketClient {
  client: Client;
  /** Runs one query or mutation and returns its single result, or the errors it was refused with. */
  run(
    query: string,
    variables?: Record<string, unknown>,
    extensions?: Record<string, unknown>,
  ): Promise<{ result?: FormattedExecutionResult<any, any>; errors?: any[] }>;
  /** Resolves with the close event's code and reason when the server closes the connection. */
  closed: Promise<{ code: number; reason: string }>;
  dispose(): Promise<void>;
}

/** A graphql-ws client of the gateway at `httpUrl`, authenticated with `params` in connection_init. */
export function connectWebSocket(httpUrl: string, params: Record<string, string> | null): WebSocketClient {
  let onClosed: (event: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: params ?? {},
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: { closed: (event) => onClosed({ code: (event as { code: number }).code, reason: String((event as { reason: string }).reason) }) },
  });
  return {
    client,
    closed,
    run(query, variables, extensions) {
      return new Promise((resolve) => {
        let result: FormattedExecutionResult<any, any> | undefined;
        client.subscribe(
          { query, variables, extensions },
          {
            next: (value) => (result = value),
            error: (error) => resolve({ errors: Array.isArray(error) ? error : [error] }),
            complete: () => resolve({ result }),
          },
        );
      });
    },
    dispose: async () => client.dispose(),
  };
}
