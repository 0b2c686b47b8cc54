/**
 * @module send-api
 * The Platform API's request side: Send API, templates, buttons, quick replies and the
 * other Graph endpoints, shared by the hub and the SDK.
 */
export * from './text.js';
export * from './buttons.js';
export * from './quick-replies.js';
export * from './templates.js';
export * from './send-request.js';
export * from './message-templates.js';
export * from './graph-objects.js';
export * from './transcripts.js';
