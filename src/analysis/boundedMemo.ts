/**
 * A map that computes a value on first use and keeps at most `capacity` of them, and at most
 * `maxWeight` of their total weight (e.g. the bytes of the text they were made from), dropping
 * the least recently used: caches keyed by what clients send must not grow with what clients
 * send.
 */
export class BoundedMemo<V> {
  private readonly entries = new Map<string, { value: V; weight: number }>();
  private totalWeight = 0;

  constructor(
    private readonly capacity: number,
    private readonly limits: { maxWeight: number; weigh: (key: string, value: V) => number } = { maxWeight: Infinity, weigh: () => 0 },
  ) {}

  get(key: string, compute: () => V): V {
    const entries = this.entries;
    const known = entries.get(key);
    if (known) {
      entries.delete(key);
      entries.set(key, known);
      return known.value;
    }
    const value = compute();
    const weight = this.limits.weigh(key, value);
    if (weight > this.limits.maxWeight) return value; // too heavy to keep at all
    entries.set(key, { value, weight });
    this.totalWeight += weight;
    while (entries.size > this.capacity || this.totalWeight > this.limits.maxWeight) {
      const [oldestKey, oldest] = entries.entries().next().value!;
      entries.delete(oldestKey);
      this.totalWeight -= oldest.weight;
    }
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
