/**
 * A small bounded LRU map with a maximum age, for unwrapped data keys: a hot customer's
 * key stays in memory, a cold one is unwrapped again, and an erased customer's key ages
 * out of every other hub process within `maxAgeMs`.
 */
export class Lru<V> {
  readonly #map = new Map<string, { value: V; at: number }>();
  readonly #max: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(max: number, maxAgeMs: number, now: () => number = Date.now) {
    this.#max = max;
    this.#maxAgeMs = maxAgeMs;
    this.#now = now;
  }

  /** The value, unless absent or older than `maxAgeMs` (default: the cache's maximum age). */
  get(key: string, maxAgeMs = this.#maxAgeMs): V | undefined {
    const hit = this.#map.get(key);
    if (hit === undefined) return undefined;
    this.#map.delete(key);
    if (this.#now() - hit.at > Math.min(maxAgeMs, this.#maxAgeMs)) return undefined;
    this.#map.set(key, hit);
    return hit.value;
  }

  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, { value, at: this.#now() });
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next().value;
      if (oldest === undefined) break;
      this.#map.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#map.delete(key);
  }

  /** Drops every entry whose key starts with `prefix`. */
  deletePrefix(prefix: string): void {
    for (const key of [...this.#map.keys()]) if (key.startsWith(prefix)) this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }

  get size(): number {
    return this.#map.size;
  }
}
