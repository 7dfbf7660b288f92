import type { AccessRules } from '../auth/accessRules';
import type { RowScope } from '../auth/rowScope';
import type { Viewer } from '../auth/viewer';
import type { DatabaseWork } from '../db/databaseWork';
import type { EventFeed } from '../events/eventFeed';
import type { IdempotencyClaim } from '../idempotency/idempotencyStore';
import type { ReadRows } from '../db/rowReader';
import type { PrismaClient } from '../generated/prisma/client';
import type { Loaders } from '../modules/registry';
import type { ClientIdentity } from '../pipeline/requestState';

/** What every resolver receives: created fresh for each request, never shared between requests. */
export interface GraphQLContext {
  prisma: PrismaClient;
  /** SQL straight through the pool, for hot reads (src/db/rowReader.ts). */
  readRows: ReadRows;
  /** The SDL's @auth/@public rules, for the checks that only execution can make (node(id:)). */
  accessRules: AccessRules;
  loaders: Loaders;
  /** The id reported in every error's extensions and the X-Trace-Id header: the request's W3C trace id. */
  traceId: string;
  /** performance.now() when the request arrived: its duration in metrics and logs is measured from it. */
  startedAt: number;
  /** SQL statements, loader batches and rows this request caused (extensions.cost.database). */
  work: DatabaseWork;
  /** Committed events, for subscriptions. */
  eventFeed: EventFeed;
  /** inventory.low is recorded when available units fall below this. */
  lowStockThreshold: number;
  /** Who calls, for usage reports: a bounded identity (see clientIdentity). */
  client: ClientIdentity;
  /** The request's Idempotency-Key header, if any (idempotent mutations). */
  idempotencyKey: string | undefined;
  /** Set while a mutation holds its idempotency key: its services record what they commit under it. */
  idempotencyClaim?: IdempotencyClaim;
  /** The client's IP address: the rate-limit key of anonymous requests. */
  clientAddress: string;
  /** Who is asking; null for anonymous requests. */
  viewer: Viewer | null;
  /** The rows the viewer may see, which services and loaders apply in their SQL (rowScope.ts). */
  rowScope: RowScope;
}
