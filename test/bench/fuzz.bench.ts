/**
 * Fuzz benchmark: ≥ 10 million bytes of hostile robot input through the real serial path
 * (pty + SerialTransport + RobotLink). Prints bytes, frames, bad frames injected vs counted
 * (by reason), throughput and heap after GC; exits 1 if any check fails.
 *
 *   npm run bench -- fuzz            (or: node --import tsx test/bench/fuzz.bench.ts [--bytes N] [--seed S])
 */
import { heapAfterGc, runSerialFuzz } from '../main/faults/serial-fuzzer';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const totalBytes = Number(arg('--bytes') ?? 10_000_000);
const seed = Number(arg('--seed') ?? 0xf022);
const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(2)} MiB`;

heapAfterGc();
const r = await runSerialFuzz({
  totalBytes,
  seed,
  onProgress: (b) => process.stdout.write(`  ${(b / 1e6).toFixed(1)} MB…\n`),
});

const failures: string[] = [];
const check = (ok: boolean, what: string): void => {
  if (!ok) failures.push(what);
};
const sameByReason = Object.keys(r.badInjected).every((k) => r.badInjected[k as keyof typeof r.badInjected] === r.counted.byReason[k as keyof typeof r.counted.byReason]);
check(sameByReason, 'bad frames counted by reason = injected by reason');
check(r.counted.crcErrors + r.counted.badFrames === r.badInjectedTotal, 'crcErrors + badFrames = bad frames injected');
check(r.counted.frames === r.validFramesInjected, 'valid frames delivered = injected');
check(r.poisonDelivered === 0, 'no frame built from a bad one delivered');
check(r.nonZeroCommands === 0, 'no non-zero VelocityCommand sent');
check(r.replaysDropped === r.units.replay, 'every replay dropped by the fault monitor');
check(r.validDropped === 0, 'no valid frame dropped by the fault monitor');
check(r.stateChanges.length === 0, `link stayed connected (${r.stateChanges.join('; ')})`);
check(r.resyncedAtEnd, 'good frame after the last bad one delivered');
// Flat: the growth after GC is small against the bytes pushed (a leak of even one small
// object per frame would show as megabytes over ~30 000 bad frames).
const growth = r.heapAfterBytes - r.heapBeforeBytes;
check(growth < 2 * 1024 * 1024, `heap growth ${mib(growth)} < 2 MiB`);

console.log(`fuzz (seed ${seed}): ${r.bytes.toLocaleString('en')} bytes in ${r.seconds.toFixed(1)} s = ${(r.bytes / r.seconds / 1e6).toFixed(2)} MB/s through the pty`);
console.log(`  units: ${Object.entries(r.units).map(([k, v]) => `${k} ${v}`).join(', ')}`);
console.log(`  valid frames: injected ${r.validFramesInjected} (replays ${r.units.replay}), delivered ${r.counted.frames}`);
console.log(`  bad frames:   injected ${r.badInjectedTotal}, counted ${r.counted.crcErrors + r.counted.badFrames} (crcErrors ${r.counted.crcErrors} + badFrames ${r.counted.badFrames})`);
for (const k of Object.keys(r.badInjected) as (keyof typeof r.badInjected)[]) {
  console.log(`    ${k.padEnd(16)} injected ${String(r.badInjected[k]).padStart(7)}   counted ${String(r.counted.byReason[k]).padStart(7)}`);
}
console.log(`  poison frames delivered: ${r.poisonDelivered}; non-zero commands at the robot: ${r.nonZeroCommands} of ${r.commandsReceived}`);
console.log(`  replays: delivered by the link ${r.replaysDelivered}, dropped by the fault monitor ${r.replaysDropped}; valid frames dropped ${r.validDropped}`);
console.log(`  link state changes during the run: ${r.stateChanges.length}; resynced at end: ${r.resyncedAtEnd}`);
console.log(`  heap after GC: before ${mib(r.heapBeforeBytes)}, after ${mib(r.heapAfterBytes)} (growth ${mib(growth)}); samples ${r.heapSamples.map(mib).join(', ')}`);
if (failures.length > 0) {
  console.log(`FAILED: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('fuzz: all checks passed');
