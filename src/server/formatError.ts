import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, isClientSafeError } from '../errors';

/**
 * The one place that decides what a client sees of an error. Coded errors from errors.ts and
 * Apollo's request errors pass as they are; anything else (a bug, a database failure) becomes
 * INTERNAL_SERVER_ERROR with no message, stack or SQL, except in development.
 */
export function createFormatError({ exposeInternals }: { exposeInternals: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (isClientSafeError(unwrapResolverError(error)) || isClientSafeError(error)) return formatted;
    if (exposeInternals) {
      return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR } };
    }
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
