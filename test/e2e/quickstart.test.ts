/** The README's run command: `npm start` prints the console's loopback URL within 30 s. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT, startProcess } from './support';

describe('quick start', () => {
  it('npm start serves the console with the simulated robot and prints its URL within 30 s', async () => {
    const started = Date.now();
    // FORESIGHT_WEB forces the web host even where Electron and a display exist.
    const proc = startProcess(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], { FORESIGHT_WEB: '1' });
    try {
      const url = (await proc.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/, 30_000))[0];
      expect(Date.now() - started).toBeLessThan(30_000);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      await proc.waitFor(/Connected to foresight-sim/, 20_000);
    } finally {
      await proc.kill('SIGTERM');
    }
    expect(proc.output()).toContain('Stopping: sending Stop to the robot');
  }, 60_000);
});
