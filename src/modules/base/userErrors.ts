import type { UserError, UserErrorCode } from '../../generated/graphql';

/**
 * A broken business rule, answered in the payload's userErrors (the request itself was fine).
 * Thrown inside a transaction to roll it back, and caught by the mutation's service.
 */
export class UserErrorsRaised extends Error {
  constructor(readonly userErrors: UserError[]) {
    super(userErrors.map((e) => e.message).join('; '));
  }
}

export function userError(code: UserErrorCode, message: string, field: Array<string | number> | null = null): UserError {
  return { code, message, field: field?.map(String) ?? null };
}

/** Runs a mutation's work; broken rules become `{ userErrors }`, success `{ ...result, userErrors: [] }`. */
export async function withUserErrors<T extends object>(work: () => Promise<T>): Promise<(T & { userErrors: UserError[] }) | { userErrors: UserError[] }> {
  try {
    return { ...(await work()), userErrors: [] };
  } catch (error) {
    if (error instanceof UserErrorsRaised) return { userErrors: error.userErrors };
    throw error;
  }
}
