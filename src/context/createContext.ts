import type { Viewer } from '../auth/viewer';
import type { PrismaClient } from '../generated/prisma/client';
import { createLoaderFactory } from '../loaders/loaderFactory';
import { createLoaders } from '../modules/registry';
import type { GraphQLContext } from './GraphQLContext';

export interface ContextDependencies {
  prisma: PrismaClient;
  dataLoaderBatching: boolean;
}

/** A fresh context per request: new loaders, so no cached row outlives or crosses a request. */
export function createContext({ prisma, dataLoaderBatching }: ContextDependencies, traceId: string, viewer: Viewer | null): GraphQLContext {
  return {
    prisma,
    loaders: createLoaders(prisma, createLoaderFactory({ batch: dataLoaderBatching })),
    traceId,
    viewer,
  };
}
