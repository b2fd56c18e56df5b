import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { McapIndexedReader, type McapTypes } from '@mcap/core';
import { Recorder } from '../../../src/main/recorder/recorder';
import { exportRunToMcap, MCAP_TOPICS } from '../../../src/main/recorder/mcap-export';
import { NoSuchRunError } from '../../../src/main/recorder/errors';
import { simulateSession, tempDir } from './fixtures';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => { tmp = tempDir(); });
afterEach(() => tmp.cleanup());

const T0 = 1_700_000_000.25;

async function readMcap(path: string): Promise<{ reader: McapIndexedReader; messages: McapTypes.TypedMcapRecords['Message'][]; close: () => Promise<void> }> {
  const handle = await open(path, 'r');
  const size = BigInt((await handle.stat()).size);
  const readable = {
    size: async () => size,
    read: async (offset: bigint, length: bigint) => {
      const buf = new Uint8Array(Number(length));
      await handle.read(buf, 0, Number(length), Number(offset));
      return buf;
    },
  };
  const reader = await McapIndexedReader.Initialize({ readable });
  const messages = [];
  for await (const m of reader.readMessages()) messages.push(m);
  return { reader, messages, close: () => handle.close() };
}

/**
 * A small JSON Schema check (type, required, properties, items, oneOf const) — enough to
 * catch a message missing a field Foxglove's schema requires. Returns the problems found.
 */
function validate(schema: Record<string, unknown>, value: unknown, at = '$'): string[] {
  const problems: string[] = [];
  if (Array.isArray(schema.oneOf)) {
    const consts = (schema.oneOf as { const?: unknown }[]).map((o) => o.const);
    if (!consts.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} not one of ${consts.join(',')}`);
    return problems;
  }
  const types = ([] as unknown[]).concat(schema.type ?? []);
  const typeOf = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (types.length > 0 && !types.includes(typeOf) && !(typeOf === 'integer' && types.includes('number'))) {
    problems.push(`${at}: expected ${types.join('|')}, got ${typeOf}`);
    return problems;
  }
  if (typeOf === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in obj)) problems.push(`${at}.${key}: missing`);
    const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const [key, v] of Object.entries(obj)) if (props[key]) problems.push(...validate(props[key]!, v, `${at}.${key}`));
  }
  if (typeOf === 'array' && schema.items) (value as unknown[]).forEach((v, i) => problems.push(...validate(schema.items as Record<string, unknown>, v, `${at}[${i}]`)));
  return problems;
}

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
