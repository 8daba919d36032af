/**
 * A Map that forgets its least recently used entries beyond `max` entries — and, given `weigh`,
 * beyond `maxWeight` in total (e.g. characters of the text keys). Every cache keyed by text from a
 * repository (policy patterns and paths, JSON documents, cron expressions) is one, so hostile
 * input cannot grow the service's memory.
 */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();
  private weight = 0;

  constructor(
    private readonly max: number,
    private readonly limit?: { weigh: (key: K, value: V) => number; maxWeight: number },
  ) {}

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  get(key: K): V | undefined {
    if (!this.map.has(key)) return undefined;
    const value = this.map.get(key) as V;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.limit?.weigh(key, value) ?? 0;
    if (this.limit && weight > this.limit.maxWeight) return; // larger than the whole cache: not kept
    this.map.set(key, value);
    this.weight += weight;
    while (this.map.size > this.max || (this.limit && this.weight > this.limit.maxWeight)) {
      this.delete(this.map.keys().next().value as K);
    }
  }

  delete(key: K): void {
    if (!this.map.has(key)) return;
    if (this.limit) this.weight -= this.limit.weigh(key, this.map.get(key) as V);
    this.map.delete(key);
  }
}
