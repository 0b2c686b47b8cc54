/**
 * Where uploaded attachment bytes live, behind a small interface so an object store can
 * replace the filesystem. The default writes under `DATA_DIR/blobs`; keys are random, so
 * a key never reveals who uploaded what.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface BlobStore {
  /** Stores `data`; returns its key. */
  put(data: Buffer): Promise<string>;
  /** The bytes under `key`, or undefined. */
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
  /** Releases resources (removes a temporary store). */
  dispose(): Promise<void>;
}

const KEY = /^[0-9a-f]{40}$/;

/** Blobs as files, fanned out by the key's first two hex digits. */
export class FsBlobStore implements BlobStore {
  private readonly dir: string;
  private readonly temporary: boolean;

  constructor(dir: string, temporary = false) {
    this.dir = dir;
    this.temporary = temporary;
  }

  /** A store in a fresh temporary folder, removed by `dispose()` (in-memory hubs, tests). */
  static async temporary(): Promise<FsBlobStore> {
    return new FsBlobStore(await fs.mkdtemp(path.join(os.tmpdir(), 'confide-blobs-')), true);
  }

  async put(data: Buffer): Promise<string> {
    const key = randomBytes(20).toString('hex');
    const file = this.#file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Write then rename, so a crash never leaves a half-written blob under a live key.
    const partial = `${file}.${process.pid}.partial`;
    await fs.writeFile(partial, data, { mode: 0o600 });
    await fs.rename(partial, file);
    return key;
  }

  async get(key: string): Promise<Buffer | undefined> {
    if (!KEY.test(key)) return undefined;
    try {
      return await fs.readFile(this.#file(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    if (!KEY.test(key)) return;
    await fs.rm(this.#file(key), { force: true });
  }

  async dispose(): Promise<void> {
    if (this.temporary) await fs.rm(this.dir, { recursive: true, force: true });
  }

  #file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), key);
  }
}
