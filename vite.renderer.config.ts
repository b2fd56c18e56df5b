// Plain Vite build of the renderer for the web host (`npm run build:web` → out/renderer).
// The Electron build of the same renderer goes through electron-vite.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { rendererCsp } from './vite.csp';

const root = resolve(import.meta.dirname, 'src/renderer');

export default defineConfig({
  root,
  base: './',
  plugins: [react(), rendererCsp()],
  build: {
    outDir: resolve(import.meta.dirname, 'out/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    // Inline nothing as data: URLs so a strict CSP (no data: scripts/fonts) holds.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
