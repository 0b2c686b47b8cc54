export * from './events.js';
export * from './handover-events.js';
export * from './approval-events.js';
export * from './feedback-events.js';
export * from './envelope.js';
export * from './signature.js';
export * from './serialize.js';
export * from './verification.js';
