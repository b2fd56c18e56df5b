import { describe, expect, it } from 'vitest';
import { CARMEN_NO_RETURN_RANGE, CarmenLogError, carmenRangeScan, parseCarmenLog } from '../../../../src/main/eval/slam/carmen-log';

const flaser = (ranges: number[], laser: string, odom: string, ts: string): string => `FLASER ${ranges.length} ${ranges.join(' ')} ${laser} ${odom} ${ts} nohost 0.5`;

const GOOD = [
  '# CARMEN Logfile',
  '# message_name [message contents] ipc_timestamp ipc_hostname logger_timestamp',
  'PARAM robot_frontlaser_offset -0.04 1071078718.462495 merci 1071078718.462494',
  'ODOM 0.000000 0.000000 -0.002458 0.000000 0.000000 0.000000 976052857.337284 nohost 0.000000',
  flaser([1.5, 81.91, 2.25, 3], '-0.04 0 0', '0 0 0', '1211.520329'),
  'TRUEPOS 0 0 0 0 0 0 1211.6 nohost 0.6',
  '',
  flaser([1, 1, 1, 1], '0.96 0.5 0.1', '1 0.5 0.1', '1211.720330'),
].join('\r\n');

describe('CARMEN log parser', () => {
  it('reads FLASER scans with their odometry pose, exact timestamp text and the PARAM mount', () => {
    const log = parseCarmenLog(GOOD);
    expect(log.source).toBe('FLASER');
    expect(log.scans).toHaveLength(2);
    expect(log.mount).toEqual({ x: -0.04, y: 0, theta: 0 });
    const [a, b] = log.scans;
    expect(a!.timeText).toBe('1211.520329');
    expect(b!.timeText).toBe('1211.720330'); // trailing zero kept: relations match text
    expect(a!.time).toBeCloseTo(1211.520329, 9);
    expect(Array.from(a!.ranges)).toEqual([1.5, Math.fround(81.91), 2.25, 3]);
    expect(b!.odom).toEqual({ x: 1, y: 0.5, theta: 0.1 });
    expect(b!.laser).toEqual({ x: 0.96, y: 0.5, theta: 0.1 });
    expect(b!.mount).toEqual({ x: -0.04, y: 0, theta: 0 });
    expect(a!.line).toBe(5);
    expect(log.skipped.get('ODOM')).toBe(1);
    expect(log.skipped.get('TRUEPOS')).toBe(1);
  });

  it('states the beam geometry: 180° over n beams, first at −90°, step 180°/n; ≥ 80 m is no return', () => {
    const log = parseCarmenLog(GOOD);
    const scan = carmenRangeScan(log.scans[0]!);
    expect(scan.angleMin).toBeCloseTo(-Math.PI / 2, 12);
    expect(scan.angleIncrement).toBeCloseTo(Math.PI / 4, 12);
    // The last beam is at +90° − 180°/n, not +90°.
    expect(scan.angleMin + 3 * scan.angleIncrement).toBeCloseTo(Math.PI / 4, 12);
    expect(scan.rangeMax).toBe(CARMEN_NO_RETURN_RANGE);
    expect(scan.ranges[1]).toBeGreaterThanOrEqual(scan.rangeMax);
  });

  it('reads ROBOTLASER1 (own geometry, mount from laser vs robot pose) when a log has no FLASER', () => {
    const n = 3;
    const line = `ROBOTLASER1 0 -1.5708 3.1416 1.5708 20 0.01 0 ${n} 1 2 3 0 1.2 0.5 0.1 1 0.5 0.1 0 0 0.5 0.5 0 1000.25 host 3.5`;
    const log = parseCarmenLog(`${line}\n${line.replace('1000.25', '1000.5')}\n`);
    expect(log.source).toBe('ROBOTLASER1');
    expect(log.scans).toHaveLength(2);
    const s = log.scans[0]!;
    expect(s.angleMin).toBeCloseTo(-1.5708, 9);
    expect(s.angleIncrement).toBeCloseTo(1.5708, 9);
    expect(s.rangeMax).toBe(20);
    // Laser 0.2 m ahead of the robot along odom x, robot heading 0.1 rad: mount in base_link.
    expect(s.mount.x).toBeCloseTo(0.2 * Math.cos(0.1), 9);
    expect(s.mount.y).toBeCloseTo(-0.2 * Math.sin(0.1), 9);
    expect(s.mount.theta).toBeCloseTo(0, 9);
    expect(s.timeText).toBe('1000.25');
  });

  it.each([
    ['a beam count that does not match the fields', 'FLASER 4 1 2 3 0 0 0 0 0 0 1.0 h 0', /line 2: FLASER with 4 beams needs 15 fields, got 14/],
    ['a range that is not a number', 'FLASER 2 1 x 0 0 0 0 0 0 1.0 h 0', /line 2: FLASER range 1 \(field 4\) is not a number: 'x'/],
    ['a negative range', 'FLASER 2 1 -2 0 0 0 0 0 0 1.0 h 0', /line 2: FLASER range 1 is negative/],
    ['a bad beam count', 'FLASER many 1 2', /line 2: FLASER beam count must be a positive whole number, got 'many'/],
    ['a timestamp that is not a number', 'FLASER 2 1 2 0 0 0 0 0 0 soon h 0', /line 2: FLASER ipc_timestamp .* is not a number: 'soon'/],
    ['a broken laser offset', 'PARAM robot_frontlaser_offset front 1 h 1', /line 2: robot_frontlaser_offset must be a number, got 'front'/],
  ])('rejects %s with the line number', (_what, bad, message) => {
    const text = `${flaser([1, 2], '0 0 0', '0 0 0', '0.5')}\n${bad}\n`;
    expect(() => parseCarmenLog(text)).toThrow(CarmenLogError);
    expect(() => parseCarmenLog(text)).toThrow(message);
  });

  it('a truncated last line is an error, not a silently shorter log', () => {
    const text = `${flaser([1, 2], '0 0 0', '0 0 0', '0.5')}\n${flaser([1, 2], '0 0 0', '0 0 0', '0.7').slice(0, 20)}`;
    expect(() => parseCarmenLog(text)).toThrow(/line 2: FLASER with 2 beams needs 13 fields/);
  });

  it('an empty log or one without laser lines parses to no scans', () => {
    expect(parseCarmenLog('').scans).toEqual([]);
    expect(parseCarmenLog('# nothing\nODOM 0 0 0 0 0 0 1 h 1\n').scans).toEqual([]);
  });
});
