export * from './message-body.js';
export * from './customer-api.js';
export * from './stream.js';
export * from './inbox-api.js';
export * from './page-profile.js';
export * from './search.js';
export * from './customer-profile.js';
export * from './inbox-supervision.js';
