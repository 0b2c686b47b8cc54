/**
 * The image proxy's use case: an image by URL, from a memory cache when it is there, else
 * fetched once (concurrent requests for the same URL share one fetch). The cache is keyed
 * by the SHA-256 of the URL, bounded in bytes and in age; a refusal is remembered briefly
 * so a broken image is not fetched again on every view.
 */
import { createHash } from 'node:crypto';
import type { EgressPolicy } from '../../privacy/egress-guard.js';
import {
  DEFAULT_IMAGE_LIMITS,
  fetchImage,
  ImageRefusedError,
  type FetchedImage,
  type ImageFetchLimits,
} from './fetch-image.js';

export interface ImageProxyOptions {
  policy: EgressPolicy;
  limits?: ImageFetchLimits;
  /** Bytes of images kept in memory (default 64 MiB). */
  cacheBytes?: number;
  /** How long a fetched image is served from the cache, in milliseconds (default 1 hour). */
  cacheMs?: number;
  /** How long a refusal is remembered, in milliseconds (default 1 minute). */
  refusalMs?: number;
  now?: () => number;
  /** Replaced in tests to count fetches. */
  fetch?: typeof fetchImage;
}

type Entry = { at: number; size: number } & ({ image: FetchedImage } | { refused: string });

export class ImageProxy {
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<Entry>>();
  readonly #options: Required<ImageProxyOptions>;
  #bytes = 0;

  constructor(options: ImageProxyOptions) {
    this.#options = {
      limits: DEFAULT_IMAGE_LIMITS,
      cacheBytes: 64 * 1024 * 1024,
      cacheMs: 60 * 60_000,
      refusalMs: 60_000,
      now: Date.now,
      fetch: fetchImage,
      ...options,
    };
  }

  /** The image at `url`; throws `ImageRefusedError` when it cannot be served. */
  async get(url: string): Promise<FetchedImage> {
    const key = createHash('sha256').update(url).digest('hex');
    const entry = this.#cached(key) ?? (await this.#load(key, url));
    if ('refused' in entry) throw new ImageRefusedError(entry.refused);
    return entry.image;
  }

  /** Bytes and entries held, for tests and metrics. */
  get stats(): { bytes: number; entries: number } {
    return { bytes: this.#bytes, entries: this.#entries.size };
  }

  #cached(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#remove(key);
    const maxAge = 'refused' in entry ? this.#options.refusalMs : this.#options.cacheMs;
    if (this.#options.now() - entry.at > maxAge) return undefined;
    this.#insert(key, entry);
    return entry;
  }

  #load(key: string, url: string): Promise<Entry> {
    let pending = this.#inflight.get(key);
    if (pending === undefined) {
      pending = this.#options
        .fetch(url, this.#options.policy, this.#options.limits)
        .then(
          (image): Entry => ({ at: this.#options.now(), size: image.bytes.length, image }),
          (err: unknown): Entry => {
            if (!(err instanceof ImageRefusedError)) throw err;
            return { at: this.#options.now(), size: 0, refused: err.message };
          },
        )
        .then((entry) => {
          if (entry.size <= this.#options.cacheBytes) this.#insert(key, entry);
          return entry;
        })
        .finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return pending;
  }

  #insert(key: string, entry: Entry): void {
    this.#remove(key);
    this.#entries.set(key, entry);
    this.#bytes += entry.size;
    // Oldest first: a Map iterates in insertion order, and a hit re-inserts.
    for (const [oldest] of this.#entries) {
      if (this.#bytes <= this.#options.cacheBytes && this.#entries.size <= 10_000) break;
      this.#remove(oldest);
    }
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.size;
  }
}
