/**
 * Vite build of the customer messenger. The hub serves `dist/` under a strict CSP, so the
 * build must not inline scripts or styles: the module-preload polyfill is off and assets
 * are always emitted as files.
 */
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const at = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { '@confide/protocol': at('../../packages/protocol/src/index.ts') } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    // `npm run dev -w @confide/web` next to a hub on :8080.
    proxy: { '/api': { target: 'http://localhost:8080', ws: true }, '/link': 'http://localhost:8080' },
  },
});
