/** The hub's metrics moved to metrics.ts (HubContext carries them, below the http layer); kept for existing imports. */
export * from '../metrics.js';
