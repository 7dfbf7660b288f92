import http from 'node:http';
import type { Duplex } from 'node:stream';
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

/**
 * A bare graphql-ws upgrade request to `url`, below any client library: what the server answers
 * at the handshake (its refusals come before the protocol). On 101 the socket is handed back
 * open, for the caller to hold (a connection that counts against a limit) or destroy.
 */
export function requestUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter?: string; socket?: Duplex }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-protocol': 'graphql-transport-ws',
        ...headers,
      },
    });
    request.on('upgrade', (_response, socket) => resolve({ status: 101, socket }));
    request.on('response', (response) => {
      response.resume();
      resolve({ status: response.statusCode!, retryAfter: response.headers['retry-after'] as string | undefined });
    });
    request.on('error', reject);
  });
}
