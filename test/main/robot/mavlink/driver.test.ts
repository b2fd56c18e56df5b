/**
 * The MAVLink rover driver over a real pseudo-terminal (and once over loopback TCP), against
 * the MAVLink autopilot emulator on the simulator: connects (GUIDED/OFFBOARD and armed, as
 * the emulator sees it), odometry in the driver's documented frame (x north = map x, y west =
 * map y, theta = −yaw) matching the simulated pose, forward and CCW turns with FRD/NED on the
 * wire, stop → HOLD, the autopilot's own guided timeout when the console goes quiet, dispose →
 * disarmed, refusals in words, and hostile input.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import { MavLinkProtocolV2, common } from 'node-mavlink';
import { SerialTransport, TcpTransport, type Transport } from '../../../../src/main/link';
import { MavlinkDriver, TYPE_MASK_VELOCITY_YAW_RATE, px4CustomMode } from '../../../../src/main/robot/mavlink/driver';
import { builtinCatalog, findRobotProfile } from '../../../../src/main/robot/profiles';
import type { RobotProfile } from '../../../../src/shared/robots';
import { SimCore } from '../../../../src/sim/sim-core';
import { SimRig } from '../../../../src/sim/emulators/emulator';
import { startRigOnPtys } from '../../../../src/sim/emulators/on-pty';
import { robotParamsFor } from '../../../../src/sim/emulators/profile-params';
import { MavlinkRoverEmulator } from '../../../../src/sim/emulators/mavlink';
import { RealTimeDriver } from '../../../../src/sim/realtime';
import { roomGrid } from '../../../sim/helpers';
import { MutableTransport, recordDriver, sleep, until } from '../driver-harness';

const catalog = builtinCatalog(join(__dirname, '../../../../resources'));
const ARDUPILOT = findRobotProfile(catalog, 'ardupilot-rover');
const PX4 = findRobotProfile(catalog, 'px4-rover');

type Cleanup = () => Promise<void> | void;
type AddCleanup = (c: Cleanup) => void;
/** Per-test cleanups, run in reverse after the test (the tests run concurrently: each its own sim, pty and driver). */
function cleanups(onTestFinished: (fn: () => Promise<void>) => void): AddCleanup {
  const list: Cleanup[] = [];
  onTestFinished(async () => {
    for (const c of list.splice(0).reverse()) await c();
  });
  return (c) => list.push(c);
}

interface Options {
  emulatorProfile?: RobotProfile;
  pose?: { x: number; y: number; theta: number };
  configure?: (emu: MavlinkRoverEmulator) => void;
}

function simFor(profile: RobotProfile, options: Options) {
  const core = new SimCore({ map: roomGrid(8, 6), seed: 1, baseRobot: robotParamsFor(profile, null), startPose: options.pose ?? { x: 3, y: 3, theta: 0.7 } });
  const emu = new MavlinkRoverEmulator(core, options.emulatorProfile ?? profile);
  options.configure?.(emu);
  return { core, emu };
}

/** A serial transport whose sending side can be cut (a broken TX wire, a dead radio uplink) while it still hears: muted, its writes fail. */
class CuttableTransport extends MutableTransport {
  override write(bytes: Uint8Array) { return !this.muted && super.write(bytes); }
}

/** `hold` renews the velocity every 50 ms, as the console's control loop does. */
async function onPty(add: AddCleanup, profile: RobotProfile, options: Options = {}) {
  const { core, emu } = simFor(profile, options);
  const rig = await startRigOnPtys(core, [emu]);
  add(() => rig.close());
  const transport = new CuttableTransport(new SerialTransport({ path: rig.devices[0]!.path, baudRate: profile.baudRate }));
  const driver = new MavlinkDriver({ transport, profile, timing: { retryMs: 100, lostAfterMs: 400, startTimeoutMs: 1500 } });
  add(() => driver.dispose());
  return { core, emu, rig, transport, driver, ...recordDriver(driver, 50) };
}

describe.concurrent('MavlinkDriver', () => {
  it('ArduPilot Rover on a pty: connects: GUIDED and armed, streams asked for, odometry = the simulated pose in the documented frame', async ({ onTestFinished }) => {
    const add = cleanups(onTestFinished);
    const r = await onPty(add, ARDUPILOT);
    r.driver.connect();
    await until(() => r.states.at(-1)?.state === 'connected', 3000, 'connected');
    expect(r.states.map((s) => s.state)).toEqual(['connecting', 'handshaking', 'connected']);
    expect(r.emu.modeName).toBe('GUIDED');
    expect(r.emu.armed).toBe(true);
    expect(r.emu.streamRateHz(common.LocalPositionNed.MSG_ID)).toBeCloseTo(20, 6);
    expect(r.emu.streamRateHz(common.Attitude.MSG_ID)).toBeCloseTo(20, 6);
    expect(r.emu.streamRateHz(common.SysStatus.MSG_ID)).toBeCloseTo(2, 6);
    expect(r.emu.streamRateHz(common.Odometry.MSG_ID)).toBe(0); // ArduPilot refused it
    expect(r.driver.capabilities()).toMatchObject({ driver: 'mavlink', drive: 'skid-steer', reverses: true, lidar: 'none', watchdog: { timeoutS: 3 } });
    expect(r.driver.capabilities()!.spec).toMatchObject({ name: 'ArduPilot Rover', maxLinearVelocity: 0.8, maxAngularVelocity: 1.5, footprintLength: 0.5, footprintWidth: 0.4 });

    await until(() => r.status.at(-1)?.frame.msg.motorsEnabled === true && r.odometry.length >= 12, 3000, 'motors on and odometry');
    const o = r.last();
    const truth = r.core.odometry();
    expect(o.x).toBeCloseTo(truth.x, 4);
    expect(o.y).toBeCloseTo(truth.y, 4); // y west = map y (NED y east negated)
    expect(o.theta).toBeCloseTo(0.7, 4); // theta = −yaw, CCW
    expect(o).toMatchObject({ v: 0, w: 0, lastCommandSeq: -1 });
    const s = r.status.at(-1)!.frame.msg;
    expect(s.batteryVoltage).toBeCloseTo(r.core.status().batteryVoltage, 2);
    expect(s.batteryPercent).toBe(r.core.status().batteryPercent);
    expect(s).toMatchObject({ motorsEnabled: true, estopPressed: false, faults: 0 });
    // 20 Hz odometry (LOCAL_POSITION_NED with ATTITUDE), on the host clock.
    const odoTimes = r.odometry.map((x) => x.receivedAt);
    const rate = (odoTimes.length - 1) / (odoTimes.at(-1)! - odoTimes[0]!);
    expect(rate).toBeGreaterThan(15);
    expect(rate).toBeLessThan(25);
    expect(r.driver.status().rttMs).not.toBeNull();
  });

  it('ArduPilot Rover on a pty: drives forward along base_link x and turns CCW for positive w, sending FRD velocity and yaw rate', async ({ onTestFinished }) => {
    const add = cleanups(onTestFinished);
    const r = await onPty(add, ARDUPILOT);
    r.driver.connect();
    await until(() => r.states.at(-1)?.state === 'connected', 3000, 'connected');
    const start = r.core.odometry();
    await r.hold(0.4, 0, 900);
    const mid = r.core.odometry();
    const dx = mid.x - start.x;
    const dy = mid.y - start.y;
    const forward = dx * Math.cos(start.theta) + dy * Math.sin(start.theta);
    const lateral = -dx * Math.sin(start.theta) + dy * Math.cos(start.theta);
    expect(forward).toBeGreaterThan(0.15);
    expect(Math.abs(lateral)).toBeLessThan(0.02);
    expect(mid.v).toBeCloseTo(0.4, 2);
    expect(r.emu.lastSetpoint).toMatchObject({ frame: common.MavFrame.BODY_NED, typeMask: 1511, vy: 0 });
    expect(TYPE_MASK_VELOCITY_YAW_RATE).toBe(0x05e7);
    expect(r.emu.lastSetpoint!.vx).toBeCloseTo(0.4, 6);
    // Published odometry follows: forward speed in base_link, pose in odom.
    await sleep(100);
    expect(r.last().v).toBeCloseTo(0.4, 2);
    expect(r.last().x).toBeCloseTo(r.core.odometry().x, 1);

    const before = r.core.odometry().theta;
    await r.hold(0, 0.5, 900);
    const after = r.core.odometry();
    expect(after.theta - before).toBeGreaterThan(0.2); // CCW: theta grows
    expect(after.w).toBeCloseTo(0.5, 2);
    expect(r.emu.lastSetpoint!.yawRate).toBeCloseTo(-0.5, 6); // FRD: clockwise positive
    await sleep(100);
    expect(r.last().w).toBeCloseTo(0.5, 2);
    expect(r.last().theta).toBeCloseTo(r.core.odometry().theta, 1);
  });

  it('ArduPilot Rover on a pty: stop() parks it in HOLD; the next command returns to GUIDED; a safety stop only brakes', async ({ onTestFinished }) => {
    const add = cleanups(onTestFinished);
    const r = await onPty(add, ARDUPILOT);
    r.driver.connect();
    await until(() => r.states.at(-1)?.state === 'connected', 3000, 'connected');
    await r.hold(0.5, 0, 700);
    expect(r.core.odometry().v).toBeGreaterThan(0.3);
    r.driver.stop('operator');
    await until(() => r.emu.modeName === 'HOLD', 1000, 'HOLD');
    expect(r.emu.modeName).toBe('HOLD');
    expect(r.core.driveState().targetV).toBe(0);
    await until(() => Math.abs(r.core.odometry().v) < 0.01, 1500, 'the rover to stop');
    expect(Math.abs(r.core.odometry().v)).toBeLessThan(0.01);
    expect(r.emu.armed).toBe(true);

    await r.hold(0.3, 0, 800);
    expect(r.emu.modeName).toBe('GUIDED');
    expect(r.core.odometry().v).toBeCloseTo(0.3, 1);
    r.driver.stop('safety');
    await sleep(200);
    expect(r.emu.modeName).toBe('GUIDED');
    expect(r.core.driveState().targetV).toBe(0);
    expect(r.faults.map((f) => f.kind)).not.toContain('mode-changed');
  });

  it('ArduPilot Rover on a pty: when the console goes quiet the rover stops by its own guided timeout, 3 s after the last target', async ({ onTestFinished }) => {
    const add = cleanups(onTestFinished);
    const r = await onPty(add, ARDUPILOT);
    r.driver.connect();
    await until(() => r.states.at(-1)?.state === 'connected', 3000, 'connected');
    await r.hold(0.5, 0, 400);
    // The uplink dies (nothing the console sends arrives; the rover's telemetry still does).
    r.transport.muted = true;
    await sleep(50);
    const lastTarget = r.emu.lastSetpoint!.at;
    expect(r.emu.lastSetpoint!.vx).toBeCloseTo(0.5, 6);
    await until(() => r.core.driveState().targetV === 0, 4500, 'the guided timeout');
    const stoppedAt = r.core.time;
    expect(stoppedAt - lastTarget).toBeGreaterThanOrEqual(3);
    expect(stoppedAt - lastTarget).toBeLessThan(3.2);
    expect(r.emu.modeName).toBe('GUIDED');
    // The autopilot's STATUSTEXT leaves with the stop and reaches the console a moment later.
    await until(() => r.faults.length > 0, 1000, "the autopilot's words");
    expect(r.faults.map((f) => f.message)).toContain('the ArduPilot Rover says: target not received last 3secs, stopping');
    r.transport.muted = false;
  });

  it('ArduPilot Rover on a pty: reports a mode change the rover made itself (RC switch) and does not fight it', async ({ onTestFinished }) => {
    const add = cleanups(onTestFinished);
    const r = await onPty(add, ARDUPILOT);
    r.driver.connect();
    await until(() => r.states.at(-1)?.state === 'connected', 3000, 'connected');
    await r.hold(0.4, 0, 300);
    expect(r.emu.switchModeByRc(0)).toBe(true); // the pilot flips to MANUAL
    await until(() => r.faults.some((f) => f.kind === 'mode-changed'), 2000, 'the mode-changed fault');
    expect(r.faults.find((f) => f.kind === 'mode-changed')!.message).toMatch(/^the ArduPilot Rover switched from GUIDED to MANUAL by itself \(an RC mode switch or a failsafe\)/);
    await r.hold(0.4, 0, 400);
    r.driver.stop('operator');
    await r.hold(0.4, 0, 300);
    expect(r.emu.stats.commands.filter((c) => c === common.MavCmd.DO_SET_MODE).length).toBe(2); // GUIDED at start, HOLD on stop; never GUIDED again
    expect(r.emu.modeName).toBe('HOLD');
    expect(r.core.driveState().targetV).toBe(0);
  });

  it('ArduPilot Rover on a pty: dispose leaves it stopped, in HOLD and disarmed', async ({ onTestFinished }) => {
    const add = cleanups(onTestFinished);
    const r = await onPty(add, ARDUPILOT);
    r.driver.connect();
    await until(() => r.states.at(-1)?.state === 'connected', 3000, 'connected');
    await r.hold(0.5, 0.2, 600);
    await r.driver.dispose();
    expect(r.emu.armed).toBe(false);
    expect(r.emu.modeName).toBe('HOLD');
    expect(r.core.driveState().targetV).toBe(0);
    expect(r.states.at(-1)!.state).toBe('disconnected');
    expect(r.faults.filter((f) => f.kind === 'disarm-refused')).toHaveLength(0);
  });

  it('ArduPilot Rover on a pty: refuses a failed arm in plain words with the MAV_RESULT name and the autopilot’s reason', async ({ onTestFinished }) => {
    const add = cleanups(onTestFinished);
    const r = await onPty(add, ARDUPILOT, { configure: (e) => (e.refuseArm = { result: common.MavResult.FAILED, text: 'PreArm: Hardware safety switch' }) });
    r.driver.connect();
    await until(() => r.faults.some((f) => f.kind === 'arm-refused'), 3000, 'the arm-refused fault');
    const f = r.faults.find((x) => x.kind === 'arm-refused')!;
    expect(f.message).toBe('the ArduPilot Rover refused to arm: MAV_RESULT_FAILED (it says: "PreArm: Hardware safety switch")');
    expect(f.detail).toMatchObject({ result: 'MAV_RESULT_FAILED' });
    await sleep(250);
    expect(r.states.some((s) => s.state === 'connected')).toBe(false);
    expect(r.states.some((s) => /refused to arm: MAV_RESULT_FAILED .*; retrying every 100 ms$/.test(s.message))).toBe(true);
    expect(r.faults.filter((x) => x.kind === 'arm-refused')).toHaveLength(1); // said once, retried quietly
    expect(r.emu.armed).toBe(false);
    expect(r.core.odometry().v).toBe(0);
  });

  it('ArduPilot Rover on a pty: refuses a vehicle that is not a ground rover, and an autopilot that is not the profile’s', async ({ onTestFinished }) => {
    const add = cleanups(onTestFinished);
    const quad = await onPty(add, ARDUPILOT, { configure: (e) => (e.vehicleType = 2) }); // MAV_TYPE_QUADROTOR
    quad.driver.connect();
    await until(() => quad.faults.length > 0, 3000, 'the not-a-rover fault');
    expect(quad.faults[0]!.kind).toBe('not-a-rover');
    expect(quad.faults[0]!.message).toMatch(/is a MAV_TYPE_QUADROTOR running ArduPilot, not a ground rover/);
    expect(quad.emu.stats.commands).toHaveLength(0); // not one command sent to it
    await until(() => quad.states.some((st) => st.state === 'incompatible'), 3000, 'incompatible');
    expect(quad.states.find((st) => st.state === 'incompatible')!.message).toMatch(/not a ground rover.*trying again every 5 s/);

    const wrong = await onPty(add, ARDUPILOT, { emulatorProfile: PX4 });
    wrong.driver.connect();
    await until(() => wrong.faults.length > 0, 3000, 'the autopilot-mismatch fault');
    expect(wrong.faults[0]!.kind).toBe('autopilot-mismatch');
    expect(wrong.faults[0]!.message).toMatch(/runs PX4, but the ArduPilot Rover profile is for ArduPilot: choose the px4-rover profile/);
    expect(wrong.emu.armed).toBe(false);
  });

  it('ArduPilot Rover on a pty: drops corrupt, unknown and foreign frames as bad frames; odometry stays true and the link up', async ({ onTestFinished }) => {
    const add = cleanups(onTestFinished);
    const r = await onPty(add, ARDUPILOT);
    r.driver.connect();
    await until(() => r.states.at(-1)?.state === 'connected', 3000, 'connected');
    const pty = r.rig.devices[0]!.pty;
    const fake = (sysid: number) => {
      const m = new common.LocalPositionNed();
      m.timeBootMs = 1;
      m.x = 100;
      m.y = -100;
      m.z = m.vx = m.vy = m.vz = 0;
      return new MavLinkProtocolV2(sysid, 1).serialize(m, 9);
    };
    const badCrc = Buffer.from(fake(1));
    badCrc[badCrc.length - 2]! ^= 0xff;
    const unknown = Buffer.from([0xfd, 3, 0, 0, 1, 1, 1, 0x01, 0xee, 0xee, 9, 9, 9, 0x00, 0x00]);
    const noise = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff).filter((b) => b !== 0xfd && b !== 0xfe));
    const before = r.samples.length;
    for (let k = 0; k < 5; k++) {
      pty.write(badCrc);
      pty.write(unknown);
      pty.write(noise);
      pty.write(fake(7)); // a valid frame, but another system's
      await sleep(40);
    }
    await sleep(300);
    expect(r.badFrames.filter((b) => b.reason === 'crc').length).toBeGreaterThanOrEqual(5);
    expect(r.badFrames.filter((b) => b.reason === 'unknown-message').length).toBeGreaterThanOrEqual(5);
    expect(r.driver.status().crcErrors).toBeGreaterThanOrEqual(5);
    expect(r.driver.status().badFrames).toBeGreaterThanOrEqual(10);
    expect(r.states.at(-1)!.state).toBe('connected');
    const after = r.odometry.slice(-Math.max(1, r.samples.length - before));
    expect(after.length).toBeGreaterThan(5);
    for (const o of r.odometry) expect(Math.abs(o.frame.msg.x - 3)).toBeLessThan(0.01);
    expect(r.core.odometry().v).toBe(0);
  });

  it('ArduPilot Rover on a pty: goes lost when the vehicle falls silent, and reconnects (re-arming) when it talks again', async ({ onTestFinished }) => {
    const add = cleanups(onTestFinished);
    const r = await onPty(add, ARDUPILOT);
    r.driver.connect();
    await until(() => r.states.at(-1)?.state === 'connected', 3000, 'connected');
    r.emu.silent = true;
    await until(() => r.states.some((s) => s.state === 'lost'), 1500, 'lost');
    expect(r.states.find((s) => s.state === 'lost')!.message).toMatch(/no data from the ArduPilot Rover for \d+ ms; reconnecting/);
    r.emu.silent = false;
    await until(() => r.states.at(-1)!.state === 'connected', 5000, 'the reconnect');
    expect(r.states.at(-1)!.state).toBe('connected');
    expect(r.driver.status().reconnects).toBe(1);
    await r.hold(0.3, 0, 600);
    expect(r.core.odometry().v).toBeGreaterThan(0.2);
  });

  it('PX4 on a pty: streams setpoints, enters OFFBOARD and arms; drives; stop → Hold; dispose → disarmed', async ({ onTestFinished }) => {
    const add = cleanups(onTestFinished);
    const r = await onPty(add, PX4);
    r.driver.connect();
    await until(() => r.states.at(-1)?.state === 'connected', 4000, 'connected');
    expect(r.states.at(-1)!.state).toBe('connected');
    expect(r.emu.customMode).toBe(px4CustomMode(6));
    expect(r.emu.modeName).toBe('OFFBOARD');
    expect(r.emu.armed).toBe(true);
    expect(r.emu.streamRateHz(common.Odometry.MSG_ID)).toBeCloseTo(20, 6);
    expect(r.emu.streamRateHz(common.LocalPositionNed.MSG_ID)).toBeCloseTo(4, 6); // fallback only
    await until(() => r.odometry.length >= 10, 2000, 'odometry');
    expect(r.last().theta).toBeCloseTo(0.7, 4);
    expect(r.last().x).toBeCloseTo(3, 4);

    await r.hold(0.4, 0.3, 1000);
    expect(r.core.odometry().v).toBeCloseTo(0.4, 2);
    expect(r.core.odometry().w).toBeCloseTo(0.3, 2);
    expect(r.last().w).toBeCloseTo(0.3, 1);

    r.driver.stop('operator');
    await until(() => r.emu.modeName === 'AUTO.LOITER', 1000, 'AUTO.LOITER');
    expect(r.emu.customMode).toBe(px4CustomMode(4, 3));
    expect(r.core.driveState().targetV).toBe(0);
    await r.driver.dispose();
    expect(r.emu.armed).toBe(false);
    expect(r.faults.map((f) => f.kind)).toEqual([]);
  });

  it('ArduPilot Rover over TCP: connects to the autopilot behind a TCP socket and drives it', async ({ onTestFinished }) => {
    const add = cleanups(onTestFinished);
    const { core, emu } = simFor(ARDUPILOT, {});
    const rig = new SimRig(core, [emu]);
    const realtime = new RealTimeDriver(rig);
    realtime.start();
    add(() => realtime.stop());
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      const sink = { write: (b: Uint8Array) => void (socket.destroyed || socket.write(b)) };
      emu.attach(sink);
      socket.on('data', (d) => emu.receive(d));
      socket.on('close', () => {
        sockets.delete(socket);
        emu.detach(sink);
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    add(() => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }));
    const port = (server.address() as { port: number }).port;
    const transport: Transport = new TcpTransport({ host: '127.0.0.1', port });
    const driver = new MavlinkDriver({ transport, profile: ARDUPILOT, timing: { retryMs: 100, lostAfterMs: 400 } });
    add(() => driver.dispose());
    const w = recordDriver(driver, 50);
    driver.connect();
    await until(() => w.states.at(-1)?.state === 'connected', 3000, 'connected');
    expect(driver.endpoint).toBe(`127.0.0.1:${port}`);
    expect(emu.modeName).toBe('GUIDED');
    await w.hold(0.4, 0, 900);
    expect(core.odometry().v).toBeCloseTo(0.4, 2);
    await until(() => w.odometry.length > 10, 1000, 'odometry');
    expect(w.last().x).toBeCloseTo(core.odometry().x, 1);
    await driver.dispose();
    expect(emu.armed).toBe(false);
  });
});
