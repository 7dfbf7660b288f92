import type { AccessRules } from '../auth/accessRules';
import { rowScopeOf } from '../auth/rowScope';
import type { Viewer } from '../auth/viewer';
import type { PrismaClient } from '../generated/prisma/client';
import { newDatabaseWork, type DatabaseWork } from '../db/databaseWork';
import type { ReadRows } from '../db/rowReader';
import type { EventFeed } from '../events/eventFeed';
import { createLoaderFactory } from '../loaders/loaderFactory';
import { createLoaders } from '../modules/registry';
import type { ClientIdentityResolver } from './clientIdentity';
import type { GraphQLContext } from './GraphQLContext';

export interface ContextDependencies {
  prisma: PrismaClient;
  readRows: ReadRows;
  dataLoaderBatching: boolean;
  accessRules: AccessRules;
  lowStockThreshold: number;
  eventFeed: EventFeed;
  clientIdentity: ClientIdentityResolver;
}

/** A fresh context per request: new loaders, so no cached row outlives or crosses a request. */
export function createContext(
  { prisma, readRows, dataLoaderBatching, accessRules, lowStockThreshold, eventFeed, clientIdentity }: ContextDependencies,
  request: {
    traceId: string;
    /** performance.now() when the request arrived; default: now. */
    startedAt?: number;
    clientAddress: string;
    idempotencyKey?: string | undefined;
    clientName?: string | undefined;
    clientVersion?: string | undefined;
    /** The request's work counter, when the transport made one already. */
    work?: DatabaseWork;
  },
  viewer: Viewer | null,
): GraphQLContext {
  const work = request.work ?? newDatabaseWork();
  const rowScope = rowScopeOf(viewer);
  return {
    prisma,
    readRows,
    accessRules,
    lowStockThreshold,
    eventFeed,
    work,
    loaders: createLoaders(prisma, readRows, createLoaderFactory({ batch: dataLoaderBatching, work }), rowScope),
    traceId: request.traceId,
    startedAt: request.startedAt ?? performance.now(),
    clientAddress: request.clientAddress,
    idempotencyKey: request.idempotencyKey,
    client: clientIdentity(viewer, request.clientName, request.clientVersion),
    viewer,
    rowScope,
  };
}
