import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import { clientKeyOf } from '../auth/clientKey';
import type { GraphQLContext } from '../context/GraphQLContext';
import { BadUserInputError, IdempotencyKeyInProgressError, IdempotencyKeyReusedError } from '../errors';
import type { Prisma, PrismaClient } from '../generated/prisma/client';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
const WAIT_STEP_MS = 50;
/** Responses marked with this header are replays of an earlier request with the same key. */
export const REPLAY_HEADER = 'idempotent-replayed';

export interface IdempotencyOptions {
  /** How long a key and its stored outcome are kept (default 24 h). */
  ttlMs: number;
  /** How long a duplicate waits for the first request with its key to finish. */
  waitMs: number;
}

/**
 * Idempotent mutations, as Stripe does them. A mutation sent with an `Idempotency-Key` header
 * stores its first outcome with a hash of the request; a retry with the same key and the same
 * request gets that outcome replayed (with `Idempotent-Replayed: true`) and changes nothing;
 * the same key with a different request is IDEMPOTENCY_KEY_REUSED. Concurrent duplicates do
 * not run: the key's row is claimed by one INSERT, and the others wait for its outcome.
 * Keys are per client (API key, user or IP address) and expire after `ttlMs`. An outcome with
 * an internal error is not kept, so that the client can retry it.
 */
export function idempotencyPlugin(prisma: PrismaClient, options: IdempotencyOptions): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      let claimed: number | undefined;
      let replay: { status: number; result: FormattedExecutionResult } | undefined;
      return {
        async didResolveOperation({ operation, request, contextValue }) {
          const key = contextValue.idempotencyKey;
          if (key === undefined || operation?.operation !== 'mutation') return;
          if (!KEY_FORMAT.test(key)) throw new BadUserInputError('The Idempotency-Key header must be 1 to 255 visible ASCII characters.');
          const clientKey = clientKeyOf(contextValue.viewer, contextValue.clientAddress);
          const requestHash = createHash('sha256')
            .update(stableJson({ query: request.query, operationName: request.operationName ?? null, variables: request.variables ?? {} }))
            .digest('hex');
          const deadline = Date.now() + options.waitMs;
          for (;;) {
            const [inserted] = await prisma.$queryRaw<Array<{ id: number }>>`
              INSERT INTO "IdempotencyKey" ("clientKey", "key", "requestHash", "status", "expiresAt")
              VALUES (${clientKey}, ${key}, ${requestHash}, 'IN_PROGRESS', ${new Date(Date.now() + options.ttlMs)})
              ON CONFLICT ("clientKey", "key") DO NOTHING RETURNING "id"`;
            if (inserted) {
              claimed = inserted.id;
              return;
            }
            const existing = await prisma.idempotencyKey.findUnique({ where: { clientKey_key: { clientKey, key } } });
            if (!existing) continue; // expired and deleted meanwhile: claim it again
            if (existing.expiresAt < new Date()) {
              await prisma.idempotencyKey.deleteMany({ where: { id: existing.id, expiresAt: { lt: new Date() } } });
              continue;
            }
            if (existing.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
            if (existing.status === 'COMPLETED') {
              replay = { status: existing.httpStatus ?? 200, result: existing.response as FormattedExecutionResult };
              return;
            }
            if (Date.now() > deadline) throw new IdempotencyKeyInProgressError();
            await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
          }
        },
        async responseForOperation() {
          if (!replay) return null;
          return {
            http: { status: replay.status, headers: new HeaderMap([[REPLAY_HEADER, 'true']]) },
            body: { kind: 'single', singleResult: replay.result },
          };
        },
        async willSendResponse({ response }) {
          if (claimed === undefined || response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR')) {
            await prisma.idempotencyKey.delete({ where: { id: claimed } });
            return;
          }
          const outcome = { ...(data !== undefined ? { data } : {}), ...(errors ? { errors } : {}) };
          await prisma.idempotencyKey.update({
            where: { id: claimed },
            data: { status: 'COMPLETED', httpStatus: response.http.status ?? 200, response: outcome as Prisma.InputJsonValue },
          });
        },
      };
    },
  };
}

/** JSON with object keys sorted, so that the same request hashes the same however it is written. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
