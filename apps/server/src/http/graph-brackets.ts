/**
 * PHP-style bracket names (`recipient[id]`, `fields[0]`, `a[]`) nest into the objects and
 * arrays the JSON body would give, in the query string and in the body alike. Names nest at
 * most {@link MAX_NESTING} deep; `__proto__`, `constructor` and `prototype` are refused.
 */
import { invalidParameter as invalid, paramName } from './graph-errors.js';

export const MAX_NESTING = 16;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Nests bracket names: `message[attachment][payload][url]=x` becomes
 * `{message:{attachment:{payload:{url:'x'}}}}`, `fields[0]=a&fields[1]=b` and
 * `fields[]=a&fields[]=b` become `{fields:['a','b']}`. Names without brackets are kept as
 * they are; a bracket name merges into an object given under its base name.
 */
export function nestBrackets(flat: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Own names in `Object.entries` order, without an array of pairs per call.
  for (const name in flat) {
    if (!Object.hasOwn(flat, name)) continue;
    const value = flat[name];
    const path = bracketPath(name);
    if (path === undefined) {
      assertSafeKey(name);
      out[name] = isPlainObject(out[name]) && isPlainObject(value) ? merge(out[name], value) : value;
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    for (const one of values) assign(out, path, one);
  }
  return densify(out) as Record<string, unknown>;
}

/** `a[b][0]` → `['a','b','0']`; `a[]` → `['a','']`; undefined for a plain or malformed name. */
function bracketPath(name: string): string[] | undefined {
  const open = name.indexOf('[');
  if (open <= 0 || !name.endsWith(']')) return undefined;
  const path = [name.slice(0, open)];
  const rest = name.slice(open);
  const re = /\[([^[\]]*)\]/gy;
  let consumed = 0;
  for (let m = re.exec(rest); m !== null; m = re.exec(rest)) {
    path.push(m[1] as string);
    consumed = re.lastIndex;
  }
  if (consumed !== rest.length) return undefined;
  if (path.length - 1 > MAX_NESTING) throw invalid(`Parameter names nest at most ${MAX_NESTING} levels deep`);
  for (const key of path) assertSafeKey(key);
  return path;
}

function assign(root: Record<string, unknown>, path: string[], value: unknown): void {
  let node: Record<string, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = keyIn(node, path[i] as string);
    const next = node[key];
    if (!isPlainObject(next)) {
      if (next !== undefined)
        throw invalid(`param ${paramName(path.slice(0, i + 1))} is given both as a value and as an object`);
      node[key] = {};
    }
    node = node[key] as Record<string, unknown>;
  }
  const last = keyIn(node, path.at(-1) as string);
  if (isPlainObject(node[last])) throw invalid(`param ${paramName(path)} is given both as a value and as an object`);
  node[last] = value;
}

/** `[]` appends: the next free index of the object being built. */
function keyIn(node: Record<string, unknown>, key: string): string {
  if (key !== '') return key;
  let i = 0;
  while (Object.hasOwn(node, String(i))) i++;
  return String(i);
}

const INDEX = /^\d+$/;

/**
 * Objects whose keys are exactly 0…n-1 become arrays (as PHP's JSON encoding of such lists does).
 * Every request's parameters pass here: an object with a name that is not an index (nearly all)
 * costs no array of its keys.
 */
function densify(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(densify);
  if (!isPlainObject(value)) return value;
  let indices = true;
  let count = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    value[key] = densify(value[key]);
    count += 1;
    if (indices && !INDEX.test(key)) indices = false;
  }
  if (count === 0 || !indices) return value;
  const keys = Object.keys(value);
  if (sortedIndices(keys)) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((i) => value[String(i)]);
  }
  return value;
}

function sortedIndices(keys: string[]): boolean {
  const nums = keys.map(Number).sort((a, b) => a - b);
  return nums.every((n, i) => n === i);
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b))
    out[key] = isPlainObject(out[key]) && isPlainObject(value) ? merge(out[key], value) : value;
  return out;
}

function assertSafeKey(key: string): void {
  if (FORBIDDEN_KEYS.has(key)) throw invalid(`Parameter name ${key} is not allowed`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
