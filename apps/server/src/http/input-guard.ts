/**
 * Request input no route may see: a NUL byte in any path parameter, query value or body
 * string or key (never a valid id, name or text; PostgreSQL refuses it in text and answers
 * 500), an unpaired UTF-16 surrogate (JSON's `\ud800` escape: not Unicode, and text columns
 * store it differently per dialect, as U+FFFD or as bytes that read back as three of them),
 * and bodies nested deeper than `MAX_INPUT_DEPTH` (no Graph object comes close, and
 * recursion over a 5,000-deep menu overflows the stack). Refused with 400 in the surface's
 * envelope (the Graph envelope on the Platform API, the customer API's error shape on /api).
 */
import { PlatformError } from '@confide/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isCustomerApi } from './errors.js';

export const MAX_INPUT_DEPTH = 32;

type Finding = 'nul' | 'surrogate' | 'depth' | undefined;

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function inspectText(text: string): Finding {
  if (text.includes('\u0000')) return 'nul';
  if (UNPAIRED_SURROGATE.test(text)) return 'surrogate';
  return undefined;
}

/** The first problem in `value`, walking iteratively (a deep value cannot overflow the stack here). */
export function inspectInput(value: unknown, maxDepth = MAX_INPUT_DEPTH): Finding {
  if (typeof value === 'string') return inspectText(value);
  if (typeof value !== 'object' || value === null) return undefined;
  // Two parallel stacks (values, depths): no tuple allocated per value on every request.
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop() as number;
    if (typeof v === 'string') {
      const finding = inspectText(v);
      if (finding !== undefined) return finding;
    } else if (typeof v === 'object' && v !== null) {
      // Raw bytes (a customer's file upload) are data, not text or structure.
      if (ArrayBuffer.isView(v)) continue;
      if (depth >= maxDepth) return 'depth';
      // Own names, as `Object.keys` gives them, without an array of them per object.
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        const finding = inspectText(k);
        if (finding !== undefined) return finding;
        values.push((v as Record<string, unknown>)[k]);
        depths.push(depth + 1);
      }
    }
  }
  return undefined;
}

function refuse(request: FastifyRequest, finding: Exclude<Finding, undefined>, where: string): PlatformError {
  return new PlatformError(isCustomerApi(request.url) ? 'BAD_REQUEST' : 'INVALID_PARAMETER', {
    message: describeFinding(finding, where),
  });
}

/**
 * Throws the Graph error (#100) when a value parsed after the guard ran — a JSON-valued
 * form or multipart field — holds what the guard refuses.
 */
export function assertCleanParsedInput(value: unknown, where: string): void {
  const finding = inspectInput(value);
  if (finding !== undefined) throw new PlatformError('INVALID_PARAMETER', { message: describeFinding(finding, where) });
}

function describeFinding(finding: Exclude<Finding, undefined>, where: string): string {
  return finding === 'nul'
    ? `${where} contains a NUL character`
    : finding === 'surrogate'
      ? `${where} contains an unpaired surrogate (not valid Unicode)`
      : `${where} is nested deeper than ${MAX_INPUT_DEPTH} levels`;
}

/** Checks params and query before routing validation, and the body once parsed. */
export function installInputGuard(app: FastifyInstance): void {
  // A `done` hook, not an async one: no promise per request.
  app.addHook('preValidation', (request, _reply, done) => {
    const finding = firstFinding(request);
    done(finding === undefined ? undefined : refuse(request, finding[0], finding[1]));
  });
}

function firstFinding(request: FastifyRequest): [Exclude<Finding, undefined>, string] | undefined {
  const inParams = inspectInput(request.params);
  if (inParams !== undefined) return [inParams, 'Path'];
  const inQuery = inspectInput(request.query);
  if (inQuery !== undefined) return [inQuery, 'Query'];
  const inBody = inspectInput(request.body);
  return inBody === undefined ? undefined : [inBody, 'Body'];
}
