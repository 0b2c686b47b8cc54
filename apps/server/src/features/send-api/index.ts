/**
 * The Send API's public entry for other features: the use case (SendApi) with its typed
 * commands for senders inside the hub (commands.ts), and the messaging window's length.
 */
export { humanAgentText, typingAction } from './commands.js';
export { HUMAN_AGENT_WINDOW_MS } from './pipeline/check-window.js';
export type { SendCommand } from './pipeline/parse-send.js';
export type { SendOutcome, SendRequest } from './pipeline/send-state.js';
export type { SendApi } from './send-message.js';
