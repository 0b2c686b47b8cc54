export { ERROR_CATALOG, type ErrorKey, type ErrorSpec } from './catalog.js';
export { PlatformError, isPlatformError, type PlatformErrorOptions } from './platform-error.js';
export { GraphErrorEnvelopeSchema, toGraphEnvelope, type GraphErrorEnvelope } from './envelope.js';
