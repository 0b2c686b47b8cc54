/**
 * Lenient JSON for Graph parameter values: a form or query field holding a JSON object or
 * array is parsed, strictly first, then as Meta's single-quoted samples.
 */
import { assertCleanParsedInput } from './input-guard.js';
import { invalidParameter } from './graph-errors.js';

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
      throw invalidParameter('A parameter is not valid JSON');
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
