/**
 * Issue 14, item 12: the MCAP export carries the map (foxglove.Grid on /map), compresses its
 * chunks with zstd, and names the robot for Foxglove's data platform (`foxglove` metadata).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { McapStreamReader, type McapTypes } from '@mcap/core';
import { Recorder } from '../../../src/main/recorder/recorder';
import { exportRunToMcap, mcapDecompressHandlers, MCAP_TOPICS, type McapTopic } from '../../../src/main/recorder/mcap-export';
import { resolveRunMaps, runMapEvents, type MapSource } from '../../../src/main/recorder/run-maps';
import { NoSuchRunError } from '../../../src/main/recorder/errors';
import type { OccupancyGrid } from '../../../src/shared/grid';
import { simulateSession, tempDir } from './fixtures';
import { recordMostlyIdleRun, roomGrid } from './idle-run';
import { readMcap, validate, type McapMessage } from './mcap-read';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => { tmp = tempDir(); });
afterEach(() => tmp.cleanup());

const T0 = 1_700_000_000.25;
const ns = (t: number): bigint => BigInt(Math.round(t * 1e6)) * 1000n;
const json = (m: McapMessage): Record<string, unknown> => JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown>;

function topicMessages(reader: Awaited<ReturnType<typeof readMcap>>['reader'], messages: McapMessage[], topic: string): McapMessage[] {
  const ids = new Set([...reader.channelsById.values()].filter((c) => c.topic === topic).map((c) => c.id));
  return messages.filter((m) => ids.has(m.channelId));
}

/** A 3-second session recorded for robot `sim-bot`; returns the open recorder (run 1). */
async function shortRun(): Promise<Recorder> {
  const rec = Recorder.open(join(tmp.dir, 'runs.sqlite'));
  rec.startRun({ robotName: 'sim-bot', source: 'sim', startedAt: T0 });
  simulateSession(rec, T0, 3, { candidates: 4 });
  rec.endRun('completed', T0 + 3);
  await rec.flush();
  return rec;
}

/** The room grid with a box (occupied) put down in its middle. */
function withBox(grid: OccupancyGrid): OccupancyGrid {
  const data = grid.data.slice();
  for (let row = 40; row < 44; row++) for (let col = 60; col < 64; col++) data[row * grid.width + col] = 100;
  return { ...grid, data };
}

describe('MCAP export for Foxglove', () => {
  it('publishes the map as a foxglove.Grid on /map (map frame, cell size, origin, stride, INT8 occupancy) at the run start and when it changed', async () => {
    const rec = await shortRun();
    const room = roomGrid();
    const boxed = withBox(room);
    const out = join(tmp.dir, 'map.mcap');
    const res = await exportRunToMcap(rec.store, 1, out, {
      maps: [
        { t: T0 + 2, name: 'boxed', grid: boxed },
        { t: null, name: 'room', grid: room },
        // The same grid again (e.g. reloaded): not published twice.
        { t: T0 + 2.5, name: 'boxed-again', grid: withBox(room) },
      ],
    });
    expect(res.messageCounts['/map']).toBe(2);

    const { reader, messages, close } = await readMcap(out);
    try {
      const channel = [...reader.channelsById.values()].find((c) => c.topic === '/map')!;
      const schema = reader.schemasById.get(channel.schemaId)!;
      expect(schema.name).toBe('foxglove.Grid');
      const maps = topicMessages(reader, messages, '/map');
      expect(maps.map((m) => m.logTime)).toEqual([ns(T0), ns(T0 + 2)]);
      const grids = maps.map(json);
      // Every field Foxglove's Grid schema requires, of the right type.
      for (const g of grids) expect(validate(JSON.parse(new TextDecoder().decode(schema.data)), g)).toEqual([]);
      expect(grids[0]).toMatchObject({
        timestamp: { sec: 1_700_000_000, nsec: 250_000_000 },
        frame_id: 'map',
        pose: { position: { x: room.origin.x, y: room.origin.y, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
        column_count: room.width,
        cell_size: { x: room.resolution, y: room.resolution },
        row_stride: room.width,
        cell_stride: 1,
        fields: [{ name: 'occupancy', offset: 0, type: 2 }], // INT8
      });
      // The cells decode to the run's map: row 0 at the origin, rows along +y, ROS values.
      for (const [g, grid] of [[grids[0]!, room], [grids[1]!, boxed]] as const) {
        const cells = new Int8Array(Buffer.from(g.data as string, 'base64'));
        expect(cells.length).toBe(grid.width * grid.height);
        expect(Array.from(cells)).toEqual(Array.from(grid.data, (v) => (v === 255 ? -1 : v)));
      }
      const cell = (g: Record<string, unknown>, x: number, y: number): number => {
        const col = Math.floor((x - room.origin.x) / room.resolution);
        const row = Math.floor((y - room.origin.y) / room.resolution);
        return new Int8Array(Buffer.from(g.data as string, 'base64'))[row * (g.row_stride as number) + col]!;
      };
      expect(cell(grids[0]!, 3, 2)).toBe(0); // free: the middle of the room
      expect(cell(grids[0]!, -0.025, 2)).toBe(100); // the west wall (x ∈ [−0.05, 0))
      expect(cell(grids[0]!, -0.15, 2)).toBe(-1); // unknown, outside
      expect(cell(grids[1]!, 0.05 * 60 - 0.2 + 0.01, 0.05 * 40 - 0.2 + 0.01)).toBe(100); // the box
      const mapRecords = [];
      for await (const md of reader.readMetadata({ name: 'foresight.map' })) mapRecords.push(Object.fromEntries(md.metadata));
      expect(mapRecords.map((m) => m.name)).toEqual(['room', 'boxed']);
    } finally {
      await close();
    }
    await expect(exportRunToMcap(rec.store, 1, join(tmp.dir, 'bad.mcap'), { maps: [{ t: null, name: 'bad', grid: { ...room, width: room.width + 1 } }] }))
      .rejects.toThrow(/cells, expected/);
    await rec.close();
  });

  it("compresses every chunk with zstd; @mcap/core's stream and indexed readers read back every message, at < 0.5 of the uncompressed size", async () => {
    const rec = Recorder.open(join(tmp.dir, 'runs.sqlite'));
    rec.startRun({ robotName: 'sim-bot', source: 'sim', startedAt: T0 });
    await recordMostlyIdleRun(rec, T0, { driveS: 2, idleS: 10 });
    rec.endRun('completed', T0 + 12);
    await rec.flush();
    const maps = [{ t: null, name: 'room', grid: roomGrid() }];
    const plain = await exportRunToMcap(rec.store, 1, join(tmp.dir, 'plain.mcap'), { compression: 'none', maps });
    const out = join(tmp.dir, 'zstd.mcap');
    const res = await exportRunToMcap(rec.store, 1, out, { maps });
    expect(res.compression).toBe('zstd');
    expect(res.messageCounts).toEqual(plain.messageCounts);

    // Every record, in file order, through the stream reader (as Foxglove streams a file).
    const stream = new McapStreamReader({ includeChunks: true, decompressHandlers: await mcapDecompressHandlers() });
    stream.append(readFileSync(out));
    const chunks: McapTypes.TypedMcapRecords['Chunk'][] = [];
    const topicOf = new Map<number, string>();
    const streamed: Record<string, number> = {};
    for (let r; (r = stream.nextRecord()) !== undefined;) {
      if (r.type === 'Chunk') chunks.push(r);
      if (r.type === 'Channel') topicOf.set(r.id, r.topic);
      if (r.type === 'Message') streamed[topicOf.get(r.channelId)!] = (streamed[topicOf.get(r.channelId)!] ?? 0) + 1;
    }
    expect(stream.done()).toBe(true);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.compression).toBe('zstd');
    const nonZero = Object.fromEntries(Object.entries(res.messageCounts).filter(([, n]) => n > 0));
    expect(streamed).toEqual(nonZero);
    expect(Object.keys(nonZero)).toEqual(expect.arrayContaining(['/map', '/scan', '/tf', '/odom', '/plan/candidates', '/cmd_vel']));

    // The indexed reader (seeking through the summary) sees the same messages and statistics.
    const { reader, messages, close } = await readMcap(out);
    try {
      expect(messages.length).toBe(res.messageCount);
      expect(reader.statistics!.messageCount).toBe(BigInt(res.messageCount));
      for (const [id, n] of reader.statistics!.channelMessageCounts) expect(Number(n)).toBe(res.messageCounts[reader.channelsById.get(id)!.topic as McapTopic]);
      expect([...reader.chunkIndexes].every((c) => c.compression === 'zstd')).toBe(true);
    } finally {
      await close();
    }
    // The same messages byte for byte as the uncompressed file.
    const a = await readMcap(join(tmp.dir, 'plain.mcap'));
    const b = await readMcap(out);
    try {
      expect(b.messages.map((m) => Buffer.from(m.data).toString())).toEqual(a.messages.map((m) => Buffer.from(m.data).toString()));
    } finally {
      await a.close();
      await b.close();
    }

    // Measured: about 0.2 here (telemetry of a robot standing still compresses to little).
    expect(plain.chunkBytes.compressed).toBe(plain.chunkBytes.uncompressed);
    expect(res.chunkBytes.uncompressed).toBe(plain.chunkBytes.uncompressed);
    expect(res.bytes / plain.bytes).toBeLessThan(0.5);
    expect(res.chunkBytes.compressed / res.chunkBytes.uncompressed).toBeLessThan(0.5);
    await rec.close();
  });

  it("writes the 'foxglove' metadata record with the robot's deviceName, and keeps the run and robot records", async () => {
    const rec = await shortRun();
    const out = join(tmp.dir, 'meta.mcap');
    await exportRunToMcap(rec.store, 1, out);
    const { reader, close } = await readMcap(out);
    try {
      const byName = new Map<string, Map<string, string>[]>();
      for await (const md of reader.readMetadata()) byName.set(md.name, [...(byName.get(md.name) ?? []), md.metadata]);
      expect(byName.get('foxglove')).toHaveLength(1);
      expect(Object.fromEntries(byName.get('foxglove')![0]!)).toEqual({ deviceName: 'sim-bot' });
      expect(byName.get('foresight.run')![0]!.get('robot')).toBe('sim-bot');
      expect(byName.get('foresight.robot')![0]!.get('name')).toBe('sim-bot');
    } finally {
      await close();
    }
    await rec.close();
  });

  it("resolves the run's maps: the named start map, then maps loaded and saved during the run at their times", async () => {
    const rec = Recorder.open(join(tmp.dir, 'runs.sqlite'));
    rec.startRun({ robotName: 'sim-bot', source: 'sim', startedAt: T0 });
    simulateSession(rec, T0, 2, { candidates: 0 });
    rec.recordOperatorAction({ action: 'load-map', detail: 'office' }, T0 + 0.5);
    rec.recordOperatorAction({ action: 'start-mapping', detail: 'new' }, T0 + 1);
    rec.recordOperatorAction({ action: 'save-map', detail: '/maps/hall.yaml' }, T0 + 1.5);
    rec.recordOperatorAction({ action: 'load-map', detail: 'gone' }, T0 + 1.8);
    rec.endRun('completed', T0 + 2);
    await rec.flush();

    const room = roomGrid();
    const office = withBox(room);
    const hall = { ...room, origin: { x: 10, y: -3 } };
    const asked: string[] = [];
    const source: MapSource = {
      byName: async (name) => { asked.push(`name:${name}`); return name === 'room' ? room : name === 'office' ? office : `No map named '${name}'`; },
      byFile: async (path) => { asked.push(`file:${path}`); return path === '/maps/hall.yaml' ? hall : `cannot read map file ${path}`; },
    };
    expect(runMapEvents(rec.store, 1).map((e) => [e.t - T0, e.action, e.detail])).toEqual([
      [0.5, 'load-map', 'office'], [1, 'start-mapping', 'new'], [1.5, 'save-map', '/maps/hall.yaml'], [1.8, 'load-map', 'gone'],
    ].map(([dt, a, d]) => [expect.closeTo(dt as number, 6), a, d]));

    const resolved = await resolveRunMaps(rec.store, 1, source, 'room');
    expect(asked).toEqual(['name:room', 'name:office', 'file:/maps/hall.yaml', 'name:gone']);
    expect(resolved.initialProblem).toBeNull();
    expect(resolved.maps.map((m) => [m.t === null ? null : Math.round((m.t - T0) * 1000) / 1000, m.name, m.grid])).toEqual([
      [null, 'room', room], [0.5, 'office', office], [1.5, '/maps/hall.yaml', hall],
    ]);
    expect(resolved.problems).toEqual([expect.stringMatching(/map loaded at t=.* \(gone\) left out: No map named 'gone'/)]);
    // A start map given as a file path goes to the file reader; one that cannot be read is said.
    expect((await resolveRunMaps(rec.store, 1, source, '/nowhere/x.yaml')).initialProblem).toBe('cannot read map file /nowhere/x.yaml');
    await expect(resolveRunMaps(rec.store, 9, source)).rejects.toThrow(NoSuchRunError);

    // Through the export: one /map message per map, at the run start and the two events.
    const out = join(tmp.dir, 'maps.mcap');
    const res = await exportRunToMcap(rec.store, 1, out, { maps: resolved.maps });
    const { reader, messages, close } = await readMcap(out);
    try {
      const maps = topicMessages(reader, messages, '/map');
      expect(maps.map((m) => m.logTime)).toEqual([ns(T0), ns(T0 + 0.5), ns(T0 + 1.5)]);
      expect(maps.map((m) => (json(m).pose as { position: { x: number } }).position.x)).toEqual([room.origin.x, office.origin.x, 10]);
      expect(res.messageCounts['/map']).toBe(3);
      expect(Object.keys(res.messageCounts)).toEqual(Object.keys(MCAP_TOPICS));
    } finally {
      await close();
    }
    await rec.close();
  });
});
