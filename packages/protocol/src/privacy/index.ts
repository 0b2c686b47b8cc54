export * from './consent-api.js';
export * from './data-api.js';
