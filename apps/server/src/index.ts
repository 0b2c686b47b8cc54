/**
 * @module @confide/server
 * The Confide hub, as a library: build one in-process (tests, embedding) or run `confide`.
 */
export { createHub, type Hub, type HubOptions } from './hub.js';
export { loadConfig, ConfigSchema, ConfigError, type Config } from './config.js';
export type { HubContext } from './context.js';
