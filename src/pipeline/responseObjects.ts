/**
 * Calls `visit` on every object (not list) in a response's data, the root included, without
 * recursion: a response is as deep as its operation, and its lists as long as their pages.
 */
export function forEachResponseObject(value: unknown, visit: (object: Record<string, unknown>) => void): void {
  const stack: unknown[] = [value];
  while (stack.length) {
    const current = stack.pop();
    if (current === null || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      for (const item of current) stack.push(item);
      continue;
    }
    visit(current as Record<string, unknown>);
    for (const child of Object.values(current)) stack.push(child);
  }
}
