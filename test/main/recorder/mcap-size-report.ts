/**
 * MCAP export size and time for a mostly idle run (issue 14, item 12): records a 7.5-minute
 * run (60 s driving, 390 s standing still; see idle-run.ts) into a fresh database, then
 * exports it uncompressed and zstd-compressed, with the map, and prints the sizes (bytes),
 * the ratio, the export times and each topic's share of the uncompressed file.
 *
 *   npx tsx test/main/recorder/mcap-size-report.ts [--drive S] [--idle S] [--keep DIR]
 *
 * Not a vitest test (it takes about a minute); the checks live in mcap-export-foxglove.test.ts.
 */
import { mkdtempSync, rmSync, statSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Recorder } from '../../../src/main/recorder/recorder';
import { RunStore } from '../../../src/main/recorder/run-store';
import { exportRunToMcap, type McapExportOptions } from '../../../src/main/recorder/mcap-export';
import { recordMostlyIdleRun, roomGrid } from './idle-run';
import { readMcap } from './mcap-read';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const driveS = arg('--drive', 60);
const idleS = arg('--idle', 390);
const keepAt = process.argv.indexOf('--keep');
const keep = keepAt > 0 ? process.argv[keepAt + 1] : undefined;

async function topicBytes(path: string): Promise<Map<string, { n: number; bytes: number }>> {
  const { reader, messages, close } = await readMcap(path);
  try {
    const out = new Map<string, { n: number; bytes: number }>();
    for (const m of messages) {
      const topic = reader.channelsById.get(m.channelId)!.topic;
      const e = out.get(topic) ?? { n: 0, bytes: 0 };
      e.n++;
      e.bytes += m.data.byteLength;
      out.set(topic, e);
    }
    return out;
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'foresight-mcap-size-'));
  if (keep) mkdirSync(keep, { recursive: true });
  const db = join(dir, 'runs.sqlite');
  // A fresh database every time: the run must be run 1, and the size must be this run's.
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  try {
    const rec = Recorder.open(db, { flushIntervalMs: 60_000, batchRecords: 1_000_000 });
    const t0 = 1_700_000_000;
    rec.startRun({ robotName: 'sim-bot', source: 'sim', startedAt: t0 });
    const w0 = performance.now();
    const counts = await recordMostlyIdleRun(rec, t0, {
      driveS, idleS, onSlice: async () => {
        if (!(await rec.flush())) throw new Error(`flush failed: ${rec.status().message}`);
      },
    });
    rec.endRun('completed', t0 + driveS + idleS);
    await rec.close();
    const sizeOf = (p: string): number => (existsSync(p) ? statSync(p).size : 0);
    const dbBytes = sizeOf(db) + sizeOf(`${db}-wal`);
    console.log(`run: ${driveS} s driving + ${idleS} s idle, ${counts.records} records (recorded in ${((performance.now() - w0) / 1000).toFixed(1)} s)`);
    console.log(`SQLite run database: ${dbBytes} bytes`);

    const store = RunStore.open(db);
    const map = { t: null, name: 'room', grid: roomGrid() };
    const exportOnce = async (label: string, file: string, options: McapExportOptions) => {
      const x0 = performance.now();
      const res = await exportRunToMcap(store, 1, join(dir, file), options);
      const s = (performance.now() - x0) / 1000;
      console.log(`${label.padEnd(34)} ${String(res.bytes).padStart(10)} bytes  ${res.messageCount} messages  export ${s.toFixed(2)} s`);
      return res;
    };
    const plain = await exportOnce('MCAP uncompressed, with map:', 'plain.mcap', { compression: 'none', maps: [map] });
    const zstd = await exportOnce('MCAP zstd (level 3), with map:', 'zstd.mcap', { maps: [map] });
    const zstd9 = await exportOnce('MCAP zstd (level 9), with map:', 'zstd9.mcap', { maps: [map], zstdLevel: 9 });
    const lean = await exportOnce('MCAP zstd, no candidates:', 'lean.mcap', { maps: [map], candidates: false });
    console.log(`ratio zstd / uncompressed: ${(zstd.bytes / plain.bytes).toFixed(4)} (${(plain.bytes / zstd.bytes).toFixed(1)}× smaller); level 9: ${(zstd9.bytes / plain.bytes).toFixed(4)}; no candidates: ${(lean.bytes / plain.bytes).toFixed(4)}`);
    console.log(`zstd file / SQLite database: ${(zstd.bytes / dbBytes).toFixed(3)}`);

    console.log('uncompressed message bytes per topic:');
    const topics = [...(await topicBytes(join(dir, 'zstd.mcap'))).entries()].sort((a, b) => b[1].bytes - a[1].bytes);
    const total = topics.reduce((a, [, e]) => a + e.bytes, 0);
    for (const [topic, e] of topics) {
      console.log(`  ${topic.padEnd(18)} ${String(e.n).padStart(7)} msgs ${String(e.bytes).padStart(10)} bytes  ${((100 * e.bytes) / total).toFixed(1).padStart(5)} %`);
    }
    store.close();
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
