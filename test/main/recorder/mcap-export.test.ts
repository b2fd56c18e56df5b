import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Recorder } from '../../../src/main/recorder/recorder';
import { exportRunToMcap, MCAP_TOPICS } from '../../../src/main/recorder/mcap-export';
import { NoSuchRunError } from '../../../src/main/recorder/errors';
import { simulateSession, tempDir } from './fixtures';
import { readMcap, validate } from './mcap-read';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => { tmp = tempDir(); });
afterEach(() => tmp.cleanup());

const T0 = 1_700_000_000.25;

describe('exportRunToMcap', () => {
  it('writes every channel with Foxglove schemas, and @mcap/core reads back exactly the message counts', async () => {
    const path = join(tmp.dir, 'runs.sqlite');
    const rec = Recorder.open(path);
    rec.startRun({ robotName: 'sim-bot', source: 'sim', startedAt: T0 });
    const sent = simulateSession(rec, T0, 3, { candidates: 8 });
    rec.recordCommandSent({ version: 1, seq: 9, timestampUs: 0, msg: { type: 'stop', reason: 1 } }, T0 + 2.5);
    rec.recordCommandSent({ version: 1, seq: 10, timestampUs: 0, msg: { type: 'screen-command', panAngle: 0.3, maxRate: 1 } }, T0 + 2.6);
    rec.recordCommandSent({ version: 1, seq: 11, timestampUs: 0, msg: { type: 'ping', requestHello: false } }, T0 + 2.7);
    rec.endRun('completed', T0 + 3);
    await rec.flush();
    // A second run must not leak into the export.
    rec.startRun({ robotName: 'other', source: 'sim', startedAt: T0 + 100 });
    simulateSession(rec, T0 + 100, 0.5, { candidates: 2 });
    await rec.flush();

    const out = join(tmp.dir, 'run1.mcap');
    const result = await exportRunToMcap(rec.store, 1, out);
    const expected: Record<keyof typeof MCAP_TOPICS, number> = {
      '/map': 0, // no map passed
      '/tf': sent.odometry + sent.mapToOdom,
      '/odom': sent.odometry,
      '/scan': sent.scans,
      '/plan/global': sent.guidance,
      '/plan/chosen': sent.cycles,
      '/plan/candidates': sent.candidates,
      '/plan/cycle': sent.cycles,
      '/people': sent.predictions,
      '/safety': sent.safety,
      '/events': sent.operator + sent.link + sent.generic,
      '/cmd_vel': sent.velocity,
      '/cmd_screen': 1,
      '/cmd_stop': 1,
      '/robot/status': sent.status,
      '/robot/screen': sent.screen,
    };
    expect(result.messageCounts).toEqual(expected);

    const { reader, messages, close } = await readMcap(out);
    try {
      const topicOf = new Map([...reader.channelsById.values()].map((c) => [c.id, c.topic]));
      expect([...topicOf.values()].sort()).toEqual(Object.keys(MCAP_TOPICS).sort());
      for (const c of reader.channelsById.values()) {
        const schema = reader.schemasById.get(c.schemaId)!;
        expect(schema.name).toBe(MCAP_TOPICS[c.topic as keyof typeof MCAP_TOPICS]);
        expect(schema.encoding).toBe('jsonschema');
        expect(c.messageEncoding).toBe('json');
        expect(JSON.parse(new TextDecoder().decode(schema.data)).title).toBe(schema.name);
      }
      // Every message satisfies its channel's schema (one of each topic checked in full).
      const checked = new Set<number>();
      for (const m of messages) {
        if (checked.has(m.channelId)) continue;
        checked.add(m.channelId);
        const schema = reader.schemasById.get(reader.channelsById.get(m.channelId)!.schemaId)!;
        const problems = validate(JSON.parse(new TextDecoder().decode(schema.data)), JSON.parse(new TextDecoder().decode(m.data)));
        expect(problems, topicOf.get(m.channelId)).toEqual([]);
      }
      // …and the check itself does catch a bad message.
      const logSchema = [...reader.schemasById.values()].find((sc) => sc.name === 'foxglove.Log')!;
      expect(validate(JSON.parse(new TextDecoder().decode(logSchema.data)), { level: 9, message: 'x' })).toHaveLength(5);
      const counted: Record<string, number> = {};
      for (const m of messages) counted[topicOf.get(m.channelId)!] = (counted[topicOf.get(m.channelId)!] ?? 0) + 1;
      for (const [topic, n] of Object.entries(expected)) expect(counted[topic] ?? 0, topic).toBe(n);
      const stats = reader.statistics!;
      expect(stats.messageCount).toBe(BigInt(result.messageCount));
      for (const [id, n] of stats.channelMessageCounts) expect(Number(n)).toBe(expected[topicOf.get(id) as keyof typeof expected]);

      // Times are the recorded host times; messages are in time order.
      expect(stats.messageStartTime).toBe(1_700_000_000_250_000_000n);
      expect(messages.every((m, i) => i === 0 || m.logTime >= messages[i - 1]!.logTime)).toBe(true);
      const scan = messages.find((m) => topicOf.get(m.channelId) === '/scan')!;
      const scanMsg = JSON.parse(new TextDecoder().decode(scan.data));
      expect(scanMsg).toMatchObject({ frame_id: 'base_link', timestamp: { sec: 1_700_000_000, nsec: 250_000_000 }, start_angle: -Math.PI });
      expect(scanMsg.ranges).toHaveLength(360);
      expect(scanMsg.pose.position.x).toBeCloseTo(0.1, 6);
      const log = messages.find((m) => topicOf.get(m.channelId) === '/safety')!;
      expect(JSON.parse(new TextDecoder().decode(log.data))).toMatchObject({ level: 2, name: 'safety', message: expect.stringContaining('person 1.2 m ahead') });
      const metadata = [];
      for await (const md of reader.readMetadata({ name: 'foresight.run' })) metadata.push(md);
      expect(metadata[0]!.metadata.get('outcome')).toBe('completed');
    } finally {
      await close();
    }
    const lean = await exportRunToMcap(rec.store, 1, join(tmp.dir, 'lean.mcap'), { candidates: false });
    expect(lean.messageCounts).toEqual({ ...expected, '/plan/candidates': 0 });
    await expect(exportRunToMcap(rec.store, 42, join(tmp.dir, 'x.mcap'))).rejects.toThrow(NoSuchRunError);
    await rec.close();
  });
});
