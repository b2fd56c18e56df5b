// electron-vite build of the desktop app: main (Electron host + core), the sandboxed
// preload, and the renderer. The web host serves the same renderer built by
// vite.renderer.config.ts.
import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { rendererCsp } from './vite.csp';

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/hosts/electron/main.ts'),
          // The planner runs in a worker thread; WorkerPlanner finds it beside index.js (src/main/threads.ts).
          'planner-worker': resolve(__dirname, 'src/main/core/planner-worker.ts'),
          'estimator-worker': resolve(__dirname, 'src/main/localization/worker.ts'),
          // The recorder's writer thread; the Recorder finds it beside index.js the same way.
          'writer-thread': resolve(__dirname, 'src/main/recorder/writer-thread.ts'),
          // Counts a finished run's incidents (src/main/incidents/count.ts).
          'incidents-count-worker': resolve(__dirname, 'src/main/incidents/count-worker.ts'),
        },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        // Sandboxed preloads cannot load ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react(), rendererCsp()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') },
    },
  },
});
