/**
 * A small bounded LRU map with a maximum age, for unwrapped data keys: a hot customer's
 * key stays in memory, a cold one is unwrapped again, and an erased customer's key ages
 * out of every other hub process within `maxAgeMs`.
 *
 * Recency is kept in a doubly linked list threaded through the entries (head: least
 * recently used), so a hit only relinks one node (a few pointer writes) and never rewrites
 * the Map, whose delete-and-reinsert per read was a measured hot spot on the seal path.
 */
interface Node<V> {
  readonly key: string;
  value: V;
  at: number;
  older: Node<V> | null;
  newer: Node<V> | null;
}

export class Lru<V> {
  readonly #map = new Map<string, Node<V>>();
  readonly #max: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  /** Least recently used. */
  #oldest: Node<V> | null = null;
  /** Most recently used. */
  #newest: Node<V> | null = null;

  constructor(max: number, maxAgeMs: number, now: () => number = Date.now) {
    this.#max = max;
    this.#maxAgeMs = maxAgeMs;
    this.#now = now;
  }

  /**
   * The value, unless absent or older than `maxAgeMs` (default: the cache's maximum age);
   * an entry found too old is dropped. A hit becomes the most recently used entry.
   */
  get(key: string, maxAgeMs = this.#maxAgeMs): V | undefined {
    const node = this.#map.get(key);
    if (node === undefined) return undefined;
    if (this.#now() - node.at > Math.min(maxAgeMs, this.#maxAgeMs)) {
      this.#remove(node);
      return undefined;
    }
    if (node !== this.#newest) {
      this.#unlink(node);
      this.#append(node);
    }
    return node.value;
  }

  set(key: string, value: V): void {
    const known = this.#map.get(key);
    if (known !== undefined) {
      known.value = value;
      known.at = this.#now();
      if (known !== this.#newest) {
        this.#unlink(known);
        this.#append(known);
      }
      return;
    }
    const node: Node<V> = { key, value, at: this.#now(), older: null, newer: null };
    this.#map.set(key, node);
    this.#append(node);
    while (this.#map.size > this.#max && this.#oldest !== null) this.#remove(this.#oldest);
  }

  delete(key: string): void {
    const node = this.#map.get(key);
    if (node !== undefined) this.#remove(node);
  }

  /** Drops every entry whose key starts with `prefix`. */
  deletePrefix(prefix: string): void {
    for (const node of [...this.#map.values()]) if (node.key.startsWith(prefix)) this.#remove(node);
  }

  clear(): void {
    this.#map.clear();
    this.#oldest = null;
    this.#newest = null;
  }

  get size(): number {
    return this.#map.size;
  }

  /** Keys from least to most recently used (for tests). */
  keys(): string[] {
    const keys: string[] = [];
    for (let node = this.#oldest; node !== null; node = node.newer) keys.push(node.key);
    return keys;
  }

  #remove(node: Node<V>): void {
    this.#map.delete(node.key);
    this.#unlink(node);
  }

  #unlink(node: Node<V>): void {
    if (node.older === null) this.#oldest = node.newer;
    else node.older.newer = node.newer;
    if (node.newer === null) this.#newest = node.older;
    else node.newer.older = node.older;
    node.older = null;
    node.newer = null;
  }

  #append(node: Node<V>): void {
    node.older = this.#newest;
    node.newer = null;
    if (this.#newest === null) this.#oldest = node;
    else this.#newest.newer = node;
    this.#newest = node;
  }
}
