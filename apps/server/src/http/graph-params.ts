/**
 * Graph parameter values: JSON-valued fields (strict, then Meta's single-quoted samples) and
 * zod validation that names the failing parameter the way Graph does.
 */
import { PlatformError } from '@confide/protocol';
import type { ZodType } from 'zod';
import { assertCleanParsedInput } from './input-guard.js';

/**
 * A string field that looks like a JSON object or array is parsed: strictly first, then
 * with single-quoted strings turned into double-quoted ones (Meta's curl samples). Other
 * values are returned unchanged, so validation reports them precisely.
 */
export function parseLenientJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!(text.startsWith('{') && text.endsWith('}')) && !(text.startsWith('[') && text.endsWith(']'))) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    try {
      parsed = JSON.parse(singleToDoubleQuotes(text));
    } catch {
      throw new PlatformError('INVALID_PARAMETER', { message: 'A parameter is not valid JSON' });
    }
  }
  // Escapes inside the field (`\u0000`, `\ud800`, deep nesting) only appear now: the same rules as for a JSON body.
  assertCleanParsedInput(parsed, 'A parameter');
  return parsed;
}

/** Rewrites 'single-quoted' JSON strings as "double-quoted" ones, leaving double-quoted strings alone. */
function singleToDoubleQuotes(text: string): string {
  let out = '';
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote === null) {
      if (ch === '"' || ch === "'") {
        quote = ch;
        out += '"';
      } else out += ch;
      continue;
    }
    if (ch === '\\' && i + 1 < text.length) {
      const next = text[i + 1] as string;
      out += quote === "'" && next === "'" ? "'" : ch + next;
      i += 1;
      continue;
    }
    if (ch === quote) {
      quote = null;
      out += '"';
    } else if (ch === '"') out += '\\"';
    else out += ch;
  }
  return out;
}

/**
 * Validates Graph parameters with a zod schema; a failure answers code 100 naming the
 * parameter the way Graph does (`param message[text] …`).
 */
export function parseParams<T>(schema: ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = deepestIssue(result.error.issues as unknown as ZodIssueLike[]);
  const path = issue?.path ?? [];
  const param =
    path.length === 0
      ? ''
      : `param ${String(path[0])}${path
          .slice(1)
          .map((p) => `[${String(p)}]`)
          .join('')} `;
  const reason = issue === undefined ? 'is invalid' : describeIssue(issue);
  throw new PlatformError('INVALID_PARAMETER', {
    message: `${param}${reason}`.trim(),
    detail: { param: path.join('.') },
  });
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  errors?: ZodIssueLike[][];
  input?: unknown;
  discriminator?: string;
}

/** For unions, the branch issue that got furthest explains the failure best. */
function deepestIssue(issues: ZodIssueLike[], prefix: PropertyKey[] = []): ZodIssueLike | undefined {
  let best: ZodIssueLike | undefined;
  for (const issue of issues) {
    let candidate: ZodIssueLike = { ...issue, path: [...prefix, ...issue.path] };
    if (issue.code === 'invalid_union' && issue.errors !== undefined && issue.errors.length > 0) {
      const nested = issue.errors
        .map((branch) => deepestIssue(branch, candidate.path))
        .filter((x): x is ZodIssueLike => x !== undefined);
      const deepest = nested.sort((a, b) => b.path.length - a.path.length)[0];
      if (deepest !== undefined) candidate = deepest;
    }
    if (best === undefined || candidate.path.length > best.path.length) best = candidate;
  }
  return best;
}

function describeIssue(issue: ZodIssueLike): string {
  if (issue.code === 'invalid_union' && issue.discriminator !== undefined)
    return `has an unsupported ${issue.discriminator}`;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return 'is required';
  if (issue.message === 'Invalid input') return 'is invalid';
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}
