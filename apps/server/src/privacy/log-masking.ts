/**
 * Log lines never carry a card number: a pino hook masks every string argument and a
 * formatter masks every string field of the logged object (privacy/masking.ts).
 */
import type { LoggerOptions } from 'pino';
import { maskCardNumbers, maskLogObject } from './masking.js';

export function maskingLogOptions(options: LoggerOptions): LoggerOptions {
  const inner = options.formatters?.log;
  return {
    ...options,
    formatters: {
      ...options.formatters,
      log(object) {
        return maskLogObject(inner === undefined ? object : inner(object));
      },
    },
    hooks: {
      ...options.hooks,
      logMethod(args, method) {
        const masked = args.map((a: unknown) => (typeof a === 'string' ? maskCardNumbers(a) : a)) as Parameters<
          typeof method
        >;
        method.apply(this, masked);
      },
    },
  };
}
