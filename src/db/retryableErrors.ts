/** Provisional: replaced by the classifier of the db-robustness branch. */
export function isRetryableDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown; meta?: { code?: unknown } } | null)?.code;
  return code === '57014' || code === '55P03' || code === 'P2028' || code === 'P2024';
}
