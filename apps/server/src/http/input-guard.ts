/**
 * Request input no route may see: a NUL byte in any path parameter, query value or body
 * string or key (never a valid id, name or text; PostgreSQL refuses it in text and answers
 * 500), and bodies nested deeper than `MAX_INPUT_DEPTH` (no Graph object comes close, and
 * recursion over a 5,000-deep menu overflows the stack). Refused with 400 in the surface's
 * envelope (the Graph envelope on the Platform API, the customer API's error shape on /api).
 */
import { PlatformError } from '@confide/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isCustomerApi } from './errors.js';

export const MAX_INPUT_DEPTH = 32;

type Finding = 'nul' | 'depth' | undefined;

/** The first problem in `value`, walking iteratively (a deep value cannot overflow the stack here). */
export function inspectInput(value: unknown, maxDepth = MAX_INPUT_DEPTH): Finding {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return 'nul';
    } else if (typeof v === 'object' && v !== null) {
      if (depth >= maxDepth) return 'depth';
      for (const [k, child] of Object.entries(v)) {
        if (k.includes('\u0000')) return 'nul';
        stack.push([child, depth + 1]);
      }
    }
  }
  return undefined;
}

function refuse(request: FastifyRequest, finding: Exclude<Finding, undefined>, where: string): PlatformError {
  const message = finding === 'nul' ? `${where} contains a NUL character` : `${where} is nested deeper than ${MAX_INPUT_DEPTH} levels`;
  return new PlatformError(isCustomerApi(request.url) ? 'BAD_REQUEST' : 'INVALID_PARAMETER', { message });
}

/** Checks params and query before routing validation, and the body once parsed. */
export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [where, value] of [
      ['Path', request.params],
      ['Query', request.query],
      ['Body', request.body],
    ] as const) {
      const finding = inspectInput(value);
      if (finding !== undefined) throw refuse(request, finding, where);
    }
  });
}
