/**
 * @module @confide/protocol
 * The wire contract shared by the Confide hub, the SDK and the web app.
 */
export * from './errors/index.js';
export * from './chat/index.js';
export * from './webhooks/index.js';
export * from './send-api/index.js';
export * from './console/index.js';
export * from './privacy/index.js';
