/**
 * Calls `visit` on every object (not list) in a response's data, the root included, without
 * recursion: a response is as deep as its operation, and its lists as long as their pages.
 * Every response of a priced operation is walked once (its actual cost), so the walk allocates
 * nothing per object and stacks only objects and lists, never scalars.
 */
export function forEachResponseObject(value: unknown, visit: (object: Record<string, unknown>) => void): void {
  if (value === null || typeof value !== 'object') return;
  const stack: object[] = [value];
  while (stack.length) {
    const current = stack.pop()!;
    if (Array.isArray(current)) {
      for (const item of current) if (item !== null && typeof item === 'object') stack.push(item);
      continue;
    }
    const object = current as Record<string, unknown>;
    visit(object);
    for (const key in object) {
      const child = object[key];
      if (child !== null && typeof child === 'object') stack.push(child);
    }
  }
}
