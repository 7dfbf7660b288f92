/**
 * A map that computes a value on first use and keeps at most `capacity` of them, dropping the
 * least recently used: caches keyed by what clients send (documents, variables) must not grow
 * with what clients send.
 */
export class BoundedMemo<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string, compute: () => V): V {
    const entries = this.entries;
    if (entries.has(key)) {
      const value = entries.get(key)!;
      entries.delete(key);
      entries.set(key, value);
      return value;
    }
    const value = compute();
    if (entries.size >= this.capacity) entries.delete(entries.keys().next().value!);
    entries.set(key, value);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
