/** The blob store moved to storage/blob-store.ts (privacy erases and exports files through it); kept for existing imports. */
export * from '../../storage/blob-store.js';
