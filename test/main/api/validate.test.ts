import { describe, expect, it } from 'vitest';
import { validateRequest } from '../../../src/main/api/validate';

describe('validateRequest', () => {
  it('accepts well-formed requests', () => {
    expect(validateRequest('teleop', { linear: 0.5, angular: -1 })).toMatchObject({ ok: true });
    expect(validateRequest('connect', { kind: 'serial', path: '/dev/ttyACM0', baud: 921600 })).toMatchObject({ ok: true });
    expect(validateRequest('connect', { kind: 'sim' })).toMatchObject({ ok: true });
    expect(validateRequest('getMap', null)).toMatchObject({ ok: true, req: null });
    expect(validateRequest('setGoal', { x: 1, y: 2, theta: 0.5 })).toMatchObject({ ok: true });
  });

  it('rejects unknown methods and prototype tricks', () => {
    expect(validateRequest('__proto__', null)).toMatchObject({ ok: false });
    expect(validateRequest(42, null)).toMatchObject({ ok: false });
    expect(validateRequest('rm -rf', null)).toMatchObject({ ok: false, error: expect.stringContaining('unknown API method') });
  });

  it('rejects out-of-range, non-finite and extra fields with a message naming the field', () => {
    const tooFast = validateRequest('teleop', { linear: 2, angular: 0 });
    expect(tooFast).toMatchObject({ ok: false, error: expect.stringContaining('linear') });
    expect(validateRequest('teleop', { linear: NaN, angular: 0 })).toMatchObject({ ok: false });
    expect(validateRequest('setGoal', { x: Infinity, y: 0, theta: 0 })).toMatchObject({ ok: false });
    expect(validateRequest('teleop', { linear: 0, angular: 0, boost: true })).toMatchObject({ ok: false });
    expect(validateRequest('connect', { kind: 'serial', path: '', baud: 9600 })).toMatchObject({ ok: false });
    expect(validateRequest('connect', { kind: 'shell', cmd: 'x' })).toMatchObject({ ok: false });
  });

  it('takes a robot profile, a separate lidar by profile with its port and mount, and the no-dead-man consent', () => {
    const lidar = { model: 'rplidar-a2', path: '/dev/ttyUSB0', baud: 256000, mount: { x: 0.1, y: 0, yaw: Math.PI / 2 } };
    expect(validateRequest('connect', { kind: 'serial', path: '/dev/ttyACM0', robot: 'turtlebot3-burger', lidar })).toMatchObject({ ok: true });
    expect(validateRequest('connect', { kind: 'serial', path: '/dev/ttyUSB1', baud: 115200, robot: 'create2', allowAutonomyWithoutDeadman: true })).toMatchObject({ ok: true });
    // A simulated robot's lidar is started by the simulator: no port, mount from the profile.
    expect(validateRequest('connect', { kind: 'sim', robot: 'kobuki', lidar: { model: 'rplidar-a1' } })).toMatchObject({ ok: true });
    expect(validateRequest('connect', { kind: 'sim', lidar: { ...lidar, baud: 12 } })).toMatchObject({ ok: false, error: expect.stringContaining('baud') });
    expect(validateRequest('connect', { kind: 'sim', lidar: { ...lidar, mount: { x: 0, y: 0 } } })).toMatchObject({ ok: false });
    expect(validateRequest('connect', { kind: 'sim', lidar: { ...lidar, mount: { x: 0, y: 0, yaw: 4 } } })).toMatchObject({ ok: false });
    expect(validateRequest('connect', { kind: 'sim', lidar: { path: '/dev/ttyUSB0' } })).toMatchObject({ ok: false, error: expect.stringContaining('model') });
    expect(validateRequest('connect', { kind: 'sim', robot: '' })).toMatchObject({ ok: false });
    expect(validateRequest('connect', { kind: 'sim', allowAutonomyWithoutDeadman: 'yes' })).toMatchObject({ ok: false });
    expect(validateRequest('listProfiles', null)).toMatchObject({ ok: true });
  });
});
