/**
 * Scenario files: the optional `drift` setting (off unless the file says so) is validated like
 * every other field, with a message naming it, and is what the simulator's SimConfig.drift takes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarioFile, scenarioSchema } from '../../../src/main/scenario/scenario-file';
import type { DriftSetting } from '../../../src/sim/drift';

const BASE = { name: 'drift', start: { x: 1, y: 1 }, goal: { x: 2, y: 2 } };
const dir = mkdtempSync(join(tmpdir(), 'foresight-scenario-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load(extra: object) {
  const file = join(dir, 'scenario.json');
  writeFileSync(file, JSON.stringify({ ...BASE, ...extra }));
  return loadScenarioFile(file);
}

describe('scenario drift', () => {
  it('is off unless the file says otherwise', () => {
    expect(scenarioSchema.parse(BASE).drift).toBe('off');
  });

  it('takes "typical", or the terms it names (the rest 0), as the simulator takes them', async () => {
    const typical = await load({ drift: 'typical' });
    expect(typical.ok && typical.scenario.drift).toBe('typical');
    const terms = await load({ drift: { odometry: { systematic: { rotationScale: -0.02 }, random: { headingPerSqrtRad: 0.01 } }, lidar: { dropout: 0.02 } } });
    if (!terms.ok) throw new Error(terms.message);
    // Assignable to SimConfig.drift as it is.
    const setting: DriftSetting = terms.scenario.drift;
    expect(setting).toEqual({
      odometry: {
        systematic: { distanceScale: 0, rotationScale: -0.02, curvature: 0 },
        random: { distancePerSqrtM: 0, distancePerSqrtRad: 0, headingPerSqrtRad: 0.01, headingPerSqrtM: 0 },
        slip: { accelThreshold: 0, ratioPerAccel: 0, turnInPlace: 0, variation: 0 },
      },
      lidar: { dropout: 0.02, dropoutFar: 0, dropoutGrazing: 0, spurious: 0, revolutionDrop: 0 },
    });
    const mixed = await load({ drift: { odometry: 'typical', lidar: 'typical' } });
    expect(mixed.ok && mixed.scenario.drift).toEqual({ odometry: 'typical', lidar: 'typical' });
  });

  it('refuses what it does not know, naming the field', async () => {
    const bad = async (drift: unknown) => {
      const r = await load({ drift });
      return r.ok ? 'accepted' : r.message;
    };
    expect(await bad('heavy')).toMatch(/: drift: expected "off", "typical" or/);
    expect(await bad({ odometry: { systematic: { distanceScale: 2 } } })).toMatch(/drift\.odometry\.systematic\.distanceScale/);
    expect(await bad({ odometry: { random: { sigma: 0.1 } } })).toMatch(/drift\.odometry\.random: .*sigma/);
    expect(await bad({ lidar: { dropout: 1.5 } })).toMatch(/drift\.lidar\.dropout/);
    expect(await bad({ odom: 'typical' })).toMatch(/drift: .*odom/);
  });
});
