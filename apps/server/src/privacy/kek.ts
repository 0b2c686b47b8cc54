/** The KEK moved to crypto/kek.ts (config.ts loads it, below the privacy layer); kept for existing imports. */
export * from '../crypto/kek.js';
