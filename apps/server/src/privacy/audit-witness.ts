/**
 * The audit log's witness: an append-only record, outside the database, of every signed
 * checkpoint head this process wrote. `confide audit verify` compares the database's
 * checkpoints and chain with it, so deleting checkpoints, truncating the log or rewriting
 * it after a checkpoint is caught even by someone who can edit the database and sign
 * nothing (docs/privacy.md §3). One JSON line per checkpoint, fsync'd before the
 * checkpoint counts as written: `{"seq":…,"hash":"…","jws":"…","at":…}`.
 *
 * `AUDIT_WITNESS=file:/path` chooses the file (default `DATA_DIR/audit-witness.jsonl`); an
 * in-memory hub keeps its witness in memory.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** One witnessed checkpoint. */
export interface WitnessEntry {
  seq: number;
  hash: string;
  /** The checkpoint's compact JWS, so the witness verifies on its own. */
  jws: string;
  at: number;
}

const WitnessEntrySchema = z.object({
  seq: z.number().int().positive(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  jws: z.string().min(1),
  at: z.number().int(),
});

/** What a witness holds, read back; `problems` names lines that do not parse (a torn last line is tolerated). */
export interface WitnessContents {
  location: string;
  entries: WitnessEntry[];
  problems: string[];
}

export interface AuditWitness {
  readonly location: string;
  /** Appends one entry durably (the file is fsync'd before this resolves). */
  append(entry: WitnessEntry): Promise<void>;
  read(): Promise<WitnessContents>;
}

/** The default witness: a file, opened for appending only. */
export class FileWitness implements AuditWitness {
  readonly location: string;

  constructor(file: string) {
    this.location = file;
  }

  async append(entry: WitnessEntry): Promise<void> {
    await fs.mkdir(path.dirname(this.location), { recursive: true });
    const handle = await fs.open(this.location, 'a', 0o600);
    try {
      await handle.appendFile(`${JSON.stringify(entry)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async read(): Promise<WitnessContents> {
    let text: string;
    try {
      text = await fs.readFile(this.location, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return { location: this.location, entries: [], problems: [] };
      throw err;
    }
    return parseWitness(this.location, text);
  }
}

/** The witness of an in-memory hub (tests): gone with the process, like its database. */
export class MemoryWitness implements AuditWitness {
  readonly location = 'memory';
  readonly #lines: string[] = [];

  async append(entry: WitnessEntry): Promise<void> {
    this.#lines.push(JSON.stringify(entry));
  }

  async read(): Promise<WitnessContents> {
    return parseWitness(this.location, this.#lines.map((l) => `${l}\n`).join(''));
  }
}

/** Parses witness lines; a last line cut short by a crash during its write is ignored, any other bad line is a problem. */
export function parseWitness(location: string, text: string): WitnessContents {
  const entries: WitnessEntry[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  const complete = text.endsWith('\n') || text === '';
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const isLast = i === lines.length - 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (!(isLast && !complete)) problems.push(`line ${i + 1} is not JSON`);
      return;
    }
    const entry = WitnessEntrySchema.safeParse(parsed);
    if (entry.success) entries.push(entry.data);
    else problems.push(`line ${i + 1} is not a checkpoint entry`);
  });
  return { location, entries, problems };
}

/** The witness configured by `AUDIT_WITNESS` (`file:/path`), else `DATA_DIR/audit-witness.jsonl`, or in memory for in-memory hubs. */
export function openWitness(spec: string | undefined, dataDir: string, memory: boolean): AuditWitness {
  if (spec !== undefined) return new FileWitness(witnessPath(spec));
  if (memory) return new MemoryWitness();
  return new FileWitness(path.join(dataDir, 'audit-witness.jsonl'));
}

/** The file of a `file:/path` witness specification. */
export function witnessPath(spec: string): string {
  if (!spec.startsWith('file:') || spec.length <= 'file:'.length)
    throw new Error('AUDIT_WITNESS: must be file:/path/to/witness.jsonl');
  return path.resolve(spec.slice('file:'.length));
}
