// Compiles the reference firmware's host-side C test (resources/firmware/test/test_vectors.c)
// with the system compiler and runs it on the shared vectors, so the C and TypeScript
// implementations cannot drift. Fails with the compiler's output when compilation fails.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, VECTORS_PATH } from './vectors';

const CC = process.env.CC ?? 'cc';
const CXX = process.env.CXX ?? 'c++';
const FW = join(REPO_ROOT, 'resources/firmware');
const FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-Wshadow', '-O1'];
const dir = mkdtempSync(join(tmpdir(), 'foresight-fw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function compile(out: string, extra: string[] = []): void {
  const res = spawnSync(
    CC,
    [...FLAGS, ...extra, '-I', join(REPO_ROOT, 'resources/firmware'), join(REPO_ROOT, 'resources/firmware/test/test_vectors.c'), '-o', out, '-lm'],
    { encoding: 'utf8' },
  );
  if (res.error) throw new Error(`cannot run the C compiler '${CC}': ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${CC} failed (exit ${res.status}):\n${res.stdout}${res.stderr}`);
}

function run(exe: string): void {
  const res = spawnSync(exe, [VECTORS_PATH], { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
  if (res.status !== 0) throw new Error(`C vector test failed (exit ${res.status}):\n${res.stdout}${res.stderr}`);
  expect(res.stdout).toMatch(/^ok: \d+ checks, 0 failed/);
}

describe('reference firmware (C) on the shared vectors', () => {
  it('compiles warning-free as C99 and passes every vector', () => {
    const exe = join(dir, 'test_vectors');
    compile(exe);
    run(exe);
  });

  it('the Arduino sketch, built on the host against stub Arduino headers, keeps the session rules', () => {
    const exe = join(dir, 'sketch_sim');
    const res = spawnSync(
      CXX,
      ['-std=c++11', '-Wall', '-Wextra', '-Werror', '-pedantic', '-O1', '-I', FW, '-I', join(FW, 'test/arduino_stub'), join(FW, 'test/sketch_sim.cpp'), '-o', exe, '-lm'],
      { encoding: 'utf8' },
    );
    if (res.error) throw new Error(`cannot run the C++ compiler '${CXX}': ${res.error.message}`);
    if (res.status !== 0) throw new Error(`${CXX} failed (exit ${res.status}):\n${res.stdout}${res.stderr}`);
    const run = spawnSync(exe, [VECTORS_PATH], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`sketch simulation failed (exit ${run.status}):\n${run.stdout}${run.stderr}`);
    expect(run.stdout).toMatch(/^ok: \d+ checks, 0 failed/);
  });

  it('passes under AddressSanitizer and UBSan where the compiler supports them', () => {
    const exe = join(dir, 'test_vectors_san');
    try {
      compile(exe, ['-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=undefined']);
    } catch (err) {
      // Toolchains without sanitizer runtimes: the plain build above is the gate.
      if (/lasan|lubsan|libasan|libubsan|unrecognized.*sanitize|unsupported.*sanitize/i.test(String(err))) return;
      throw err;
    }
    run(exe);
  });
});
