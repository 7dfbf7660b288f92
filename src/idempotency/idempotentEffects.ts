import type { GraphQLContext } from '../context/GraphQLContext';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import { UserErrorsRaised } from '../modules/base/userErrors';
import type { IdempotencyClaim } from './idempotencyStore';

/** What a mutation's transaction committed under a key: which row it created or changed. */
export interface IdempotentEffect {
  resource: string;
  resourceId: number;
}

/** Records, in the mutation's transaction, the row it created or changed (a no-op without a key). */
export type RecordEffect = (tx: Prisma.TransactionClient, resourceId: number) => Promise<void>;

/**
 * Runs one mutation field once per idempotency key, even across a crash. The field's
 * transaction records its effect (`record`) as it commits; a request that took the key over
 * from a holder that died (`claim.recovering`) finds that effect and answers with it
 * (`recover`) instead of acting again. Should two requests ever hold the key at once, the
 * second to commit fails on the effect's primary key and recovers the first one's effect.
 * Without a key (or for a query) it just acts.
 */
export async function runIdempotently<T>(
  ctx: GraphQLContext,
  fieldKey: string,
  resource: string,
  steps: {
    recover: (resourceId: number) => Promise<T>;
    act: (record: RecordEffect) => Promise<T>;
  },
): Promise<T> {
  const claim = ctx.idempotencyClaim;
  if (!claim) return steps.act(async () => undefined);
  if (claim.recovering) {
    const effect = await findEffect(ctx.prisma, claim, fieldKey);
    if (effect) return steps.recover(effect.resourceId);
  }
  try {
    return await steps.act((tx, resourceId) => recordEffect(tx, claim, fieldKey, { resource, resourceId }));
  } catch (error) {
    // A second holder of the key fails on the effect's key, or on a business rule the first
    // holder's commit changed (it cancelled the order this one waited to lock): either way
    // the answer is the first one's effect, when there is one.
    if (!isUniqueViolation(error) && !(error instanceof UserErrorsRaised)) throw error;
    const effect = await findEffect(ctx.prisma, claim, fieldKey);
    if (!effect) throw error;
    return steps.recover(effect.resourceId);
  }
}

async function findEffect(prisma: PrismaClient, claim: IdempotencyClaim, fieldKey: string): Promise<IdempotentEffect | undefined> {
  const [effect] = await prisma.$queryRaw<IdempotentEffect[]>`
    SELECT "resource", "resourceId" FROM "IdempotencyEffect" WHERE "keyId" = ${claim.id} AND "fieldKey" = ${fieldKey}`;
  return effect;
}

async function recordEffect(tx: Prisma.TransactionClient, claim: IdempotencyClaim, fieldKey: string, effect: IdempotentEffect): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "IdempotencyEffect" ("keyId", "fieldKey", "resource", "resourceId")
    VALUES (${claim.id}, ${fieldKey}, ${effect.resource}, ${effect.resourceId})`;
}

/**
 * A unique-key violation (SQLSTATE 23505). Through Prisma's raw queries and the pg adapter it
 * arrives as P2010 with the driver's error in `meta.driverAdapterError.cause`.
 */
function isUniqueViolation(error: unknown): boolean {
  const meta = (error as { code?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } } } | null)?.meta;
  const cause = meta?.driverAdapterError?.cause;
  return (error as { code?: unknown } | null)?.code === 'P2002' || cause?.originalCode === '23505' || cause?.kind === 'UniqueConstraintViolation';
}
