import { createHash } from 'node:crypto';
import { clientKeyOf } from '../auth/clientKey';
import { rowScopeOf } from '../auth/rowScope';
import { ErrorCode } from '../errors';
import type { IdempotencyStore } from '../idempotency/idempotencyStore';
import type { Policy } from '../pipeline/pipeline';
import type { RequestState, ResponseBody } from '../pipeline/requestState';

/** Responses marked with this header are replays of an earlier request with the same key. */
export const REPLAY_HEADER = 'idempotent-replayed';

/** Outcomes that say nothing about the request: the key is given up so that a retry runs (or recovers). */
const NOT_AN_OUTCOME: ReadonlySet<unknown> = new Set([ErrorCode.INTERNAL_SERVER_ERROR, ErrorCode.SERVICE_UNAVAILABLE]);

/**
 * Idempotent mutations, as Stripe does them, and the last step before execution: a key is
 * claimed only once every other policy has let the request through, so a refusal stores
 * nothing. A mutation sent with an Idempotency-Key claims it (a lease); a retry of the same
 * request gets the first outcome replayed (with `Idempotent-Replayed: true`) and changes
 * nothing; the same key for another request, or by a viewer who sees other rows, is
 * IDEMPOTENCY_KEY_REUSED. Only a completed execution is stored; a failure on our side
 * releases the key. Keys are per client (API key, user or IP address).
 */
export function idempotencyPolicy(store: IdempotencyStore): Policy {
  return {
    name: 'idempotency',
    async prepare(state) {
      const operation = state.operation!;
      // Anonymous clients run no mutation (every one needs a scope): their keys would only be rows.
      if (state.idempotencyKey === undefined || state.viewer === null || operation.analysis.operationType !== 'mutation' || !runsAnyRootField(state)) return;
      const requestHash = hashRequest(operation.source, operation.operationName, operation.variables);
      const outcome = await store.claim(
        {
          clientKey: clientKeyOf(state.viewer, state.clientAddress),
          key: state.idempotencyKey,
          requestHash,
          viewerScope: JSON.stringify(rowScopeOf(state.viewer)),
        },
        state.deadline,
      );
      if ('replay' in outcome) {
        state.idempotency = outcome;
        state.http.status = outcome.replay.status;
        state.http.headers.set(REPLAY_HEADER, 'true');
      } else {
        state.idempotency = { claim: outcome.claim, stopKeepAlive: store.keepAlive(outcome.claim) };
      }
    },
    async complete(state, body) {
      const held = state.idempotency;
      if (!held) return;
      if ('replay' in held) {
        // Over WebSocket there is no header to say so.
        body.extensions = { ...body.extensions, idempotentReplayed: true };
        return;
      }
      const settle = async (outcome: ResponseBody) => {
        try {
          if (outcome.errors?.some((error) => NOT_AN_OUTCOME.has(error.extensions?.code))) await store.release(held.claim);
          else {
            const stored = { ...(outcome.data !== undefined ? { data: outcome.data } : {}), ...(outcome.errors ? { errors: outcome.errors } : {}) };
            await store.complete(held.claim, { status: state.http.status ?? 200, body: stored });
          }
        } finally {
          held.stopKeepAlive();
        }
      };
      // Answered at its deadline while still running: the key waits for the real outcome.
      if (state.lateOutcome)
        void state.lateOutcome.then(settle, () => settle({ errors: [{ message: 'failed', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] }));
      else await settle(body);
    },
  };
}

/** What identifies "the same request" under one key: its query, operation name and variables (key order ignored). */
export function hashRequest(query: string, operationName: string | undefined, variables: Record<string, unknown> | undefined): string {
  return createHash('sha256')
    .update(stableJson({ query, operationName: operationName ?? null, variables: variables ?? {} }))
    .digest('hex');
}

/**
 * Whether a mutation field will run: one the operation selects (through fragments too, after
 * @skip/@include; __typename is no mutation) and the viewer may use. A mutation whose fields
 * were all denied runs nothing: there is nothing to make idempotent, and nothing is stored.
 */
function runsAnyRootField(state: RequestState): boolean {
  const { analysis, request } = state.operation!;
  const root = `${analysis.graph.root.type.name}.`;
  const denied = state.authorization?.denied;
  for (const coordinate of request.coordinates.fields) {
    if (coordinate.startsWith(root) && !denied?.has(coordinate)) return true;
  }
  return false;
}

/** JSON with object keys sorted, so that the same request hashes the same however it is written. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
