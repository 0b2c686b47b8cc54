/**
 * Arbitraries for hostile request bodies: JSON written as text (so `__proto__` and
 * duplicate keys reach the parser as they would over the wire), unicode of every kind
 * (lone surrogates included), huge strings and values of the wrong type.
 */
import fc from 'fast-check';
import type { Hub } from '../../src/hub.js';

/** Keys that have bitten JavaScript parsers and merges before. */
export const NASTY_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  ' ',
  '0',
  '-1',
  'message',
  'recipient',
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Any string a client might send: ASCII, full unicode, lone surrogates, control characters, JSON-looking text. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.oneof(loneSurrogate, fc.constantFrom('\u0000', '\n', '\u202e', '\ufeff', '😀', 'é', "'", '"', '\\')),
    maxLength: 12,
  }),
  fc.constantFrom('{', '[', "{'a':'b'}", '{"a":', '[1,2', 'null', 'true', '1e999', '-0', 'NaN', '{}', '[]'),
  // Large strings, around and beyond the field limits (kept few so a run stays fast).
  fc.constantFrom(2001, 70_000).map((n) => 'x'.repeat(n)),
);

/** A JSON-like tree whose objects are entry lists, so keys may repeat or be `__proto__`. */
export type Junk = null | boolean | number | string | Junk[] | { entries: Array<[string, Junk]> };

const { junk } = fc.letrec<{ junk: Junk }>((tie) => ({
  junk: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(0, -1, 2 ** 53, 1e308, -1e-308),
    ),
    anyString,
    fc.array(tie('junk'), { maxLength: 4 }),
    fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...NASTY_KEYS), anyString), tie('junk')), { maxLength: 5 })
      .map((entries) => ({ entries })),
  ),
}));

/** Arbitrary nested junk. */
export const junkValue: fc.Arbitrary<Junk> = junk;

/** Serialises a junk tree as JSON text (numbers that JSON cannot carry become 0). */
export function junkToJson(value: Junk): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : '0';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(junkToJson).join(',')}]`;
  return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${junkToJson(v)}`).join(',')}}`;
}

/** Object junk with a chosen key set, e.g. the fields a real request would carry. */
export function objectWith(keys: string[]): fc.Arbitrary<{ entries: Array<[string, Junk]> }> {
  return fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...keys), fc.constantFrom(...NASTY_KEYS), anyString), junkValue), {
      maxLength: 8,
    })
    .map((entries) => ({ entries }));
}

/** Replaces the value at a random depth of a valid JSON object with junk, or adds a junk key there. */
export function mutate(valid: Record<string, unknown>): fc.Arbitrary<string> {
  const paths = collectPaths(valid);
  return fc
    .tuple(fc.constantFrom(...paths), fc.boolean(), fc.oneof(fc.constantFrom(...NASTY_KEYS), anyString), junkValue)
    .map(([path, replace, key, value]) => {
      const copy = structuredClone(valid) as Record<string, unknown>;
      const parent = path.slice(0, -1).reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, copy);
      const last = path.at(-1) as string;
      // Defined as an own property, so a `__proto__` key is serialised rather than swallowed.
      if (replace)
        Object.defineProperty(parent, last, {
          value: JSON.parse(junkToJson(value)),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else
        Object.defineProperty(parent, key, {
          value: JSON.parse(junkToJson(value)),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return JSON.stringify(copy);
    });
}

function collectPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return prefix.length === 0 ? [] : [prefix];
  const own = Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => collectPaths(v, [...prefix, k]));
  return prefix.length === 0 ? own : [prefix, ...own];
}

/** Tables a rejected request must not touch. */
export const WRITE_TABLES = [
  'messages',
  'webhook_outbox',
  'customer_events',
  'conversations',
  'customers',
  'sessions',
  'attachments',
  'message_attachments',
] as const;
export type WriteTable = (typeof WRITE_TABLES)[number];

/** Row counts of every table in {@link WRITE_TABLES}. */
export async function countAll(hub: Hub): Promise<Record<WriteTable, number>> {
  const out = {} as Record<WriteTable, number>;
  for (const table of WRITE_TABLES) {
    const row = await hub.ctx.storage.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

/** The difference `after - before`, only for tables that changed. */
export function changed(
  before: Record<WriteTable, number>,
  after: Record<WriteTable, number>,
): Partial<Record<WriteTable, number>> {
  const out: Partial<Record<WriteTable, number>> = {};
  for (const table of WRITE_TABLES) if (after[table] !== before[table]) out[table] = after[table] - before[table];
  return out;
}

/** Object.prototype must be untouched after hostile input (a polluted prototype leaks into every object). */
export function assertPrototypeClean(): void {
  const probe = {} as Record<string, unknown>;
  for (const key of ['polluted', 'text', 'id', 'a', 'isAdmin']) {
    if (probe[key] !== undefined) throw new Error(`Object.prototype.${key} was polluted`);
  }
  if (Object.keys(Object.prototype).length > 0)
    throw new Error(`Object.prototype gained ${Object.keys(Object.prototype).join(',')}`);
}

/** Percent-encodes the UTF-8 bytes of `text` (lone surrogates become U+FFFD); text starting with `%` passes raw. */
export function percentEncode(text: string): string {
  if (text.startsWith('%')) return text;
  return [...Buffer.from(text, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

/** Raw percent junk for query strings and paths: truncated, invalid UTF-8, NUL. */
export const RAW_PERCENT = ['%', '%E0%A4%A', '%FF%FE', '%00', '%2e%2e', '%2F'];

/**
 * What hostile input puts in a field: a NUL byte, an unpaired high or low surrogate or a
 * reversed pair inside a string (JSON carries them as `\u0000`, `\ud800`), a NUL or
 * surrogate in an object key, or nesting far beyond any real Graph object.
 */
export type Poison =
  | { kind: 'nul' | 'high' | 'low' | 'reversed'; at: number }
  | { kind: 'key'; char: 'nul' | 'high' | 'low' }
  | { kind: 'deep'; depth: number; shape: 'array' | 'object' };

const POISON_CHARS = { nul: '\u0000', high: '\ud83d', low: '\ude00', reversed: '\ude00\ud83d' } as const;

/** A poison, at any position and depth (1 to 6,000 levels: around the guard's limit and far past it). */
export const poison: fc.Arbitrary<Poison> = fc.oneof(
  fc.record({ kind: fc.constantFrom('nul', 'high', 'low', 'reversed'), at: fc.nat({ max: 64 }) }),
  fc.record({ kind: fc.constant('key'), char: fc.constantFrom('nul', 'high', 'low') }),
  fc.record({
    kind: fc.constant('deep'),
    depth: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(100, 1_000, 6_000)),
    shape: fc.constantFrom('array', 'object'),
  }),
) as fc.Arbitrary<Poison>;

/** Every path of a JSON value that holds a string or an object (arrays included; the root is `[]`). */
export function fieldPaths(
  value: unknown,
  prefix: string[] = [],
): Array<{ path: string[]; type: 'string' | 'object' }> {
  if (typeof value === 'string') return [{ path: prefix, type: 'string' }];
  if (typeof value !== 'object' || value === null) return [];
  return [
    { path: prefix, type: 'object' },
    ...Object.entries(value).flatMap(([k, v]) => fieldPaths(v, [...prefix, k])),
  ];
}

/** Every poison that fits each field of `valid`: the deterministic sweep of "every string and object field". */
export function everyPoisoning(valid: Record<string, unknown>): Array<{ label: string; json: string; poison: Poison }> {
  const out: Array<{ label: string; json: string; poison: Poison }> = [];
  for (const { path, type } of fieldPaths(valid)) {
    const where = path.length === 0 ? '(root)' : path.join('.');
    const poisons: Poison[] =
      type === 'string'
        ? [
            { kind: 'nul', at: 1 },
            { kind: 'high', at: 64 },
            { kind: 'low', at: 0 },
            { kind: 'reversed', at: 2 },
          ]
        : [
            { kind: 'key', char: 'nul' },
            { kind: 'key', char: 'high' },
            { kind: 'deep', depth: 20, shape: 'object' },
            { kind: 'deep', depth: 5_000, shape: 'array' },
          ];
    for (const p of poisons)
      out.push({ label: `${where} ← ${JSON.stringify(p)}`, json: poisonAt(valid, path, p), poison: p });
  }
  return out;
}

/** `valid` with one field poisoned, as JSON text; `path` picks the field (strings take string poisons, objects the rest). */
export function poisonAt(valid: Record<string, unknown>, path: string[], p: Poison): string {
  const copy = structuredClone(valid);
  const marker = `__poison_${Math.random().toString(36).slice(2)}__`;
  const set = (value: unknown) => {
    if (path.length === 0) return value;
    const parent = path.slice(0, -1).reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, copy);
    parent[path.at(-1)!] = value;
    return copy;
  };
  const current = path.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], copy);
  let root: unknown;
  if (p.kind === 'deep') root = set(marker);
  else if (p.kind === 'key') {
    const target = (
      typeof current === 'object' && current !== null && !Array.isArray(current) ? current : {}
    ) as Record<string, unknown>;
    target[`a${POISON_CHARS[p.char]}b`] = 'x';
    root = set(target);
  } else {
    const text = typeof current === 'string' ? current : '';
    const at = p.at % (text.length + 1);
    root = set(text.slice(0, at) + POISON_CHARS[p.kind] + text.slice(at));
  }
  // JSON.stringify writes lone surrogates as \udXXX escapes, as a client's serialiser would.
  const json = JSON.stringify(root);
  return p.kind === 'deep' ? json.replace(JSON.stringify(marker), deepJson(p.depth, p.shape)) : json;
}

/** JSON text nested `depth` levels (written as text: JSON.stringify itself would overflow on the deepest). */
export function deepJson(depth: number, shape: 'array' | 'object'): string {
  return shape === 'array'
    ? `${'['.repeat(depth)}"x"${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`;
}

/**
 * A random poisoning of one string or object field of `valid`. A poison of the other kind
 * lands too (a string field replaced by nesting or by an object with a poisoned key, an
 * object replaced by a string holding the character), as a hostile client would send it.
 */
export function poisoned(valid: Record<string, unknown>): fc.Arbitrary<string> {
  const paths = fieldPaths(valid);
  return fc.tuple(fc.constantFrom(...paths), poison).map(([{ path }, p]) => poisonAt(valid, path, p));
}
