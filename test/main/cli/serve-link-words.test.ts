/**
 * `foresight serve --port /dev/ttyNOPE`: the terminal says why the robot is not connecting,
 * in the words the UI shows (the snapshot's link message), once per change rather than on
 * every retry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_PATH, type ConsoleSnapshot, type WsServerMessage } from '../../../src/shared/api';
import { until } from '../../support/poll';

const BIN = fileURLToPath(new URL('../../../bin/foresight.mjs', import.meta.url));
/** A serial device that does not exist. */
const NO_DEVICE = '/dev/ttyNOPE';

let child: ChildProcess | null = null;
let ws: WebSocket | null = null;
let dir: string | null = null;

afterEach(() => {
  ws?.close();
  ws = null;
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('foresight serve: the link state in the terminal', () => {
  it('prints why a missing port does not connect, as the UI words it, once per change', async () => {
    dir = mkdtempSync(join(tmpdir(), 'foresight-serve-words-'));
    const proc = spawn(process.execPath, [BIN, 'serve', '--port', NO_DEVICE, '--http-port', '0', '--db', join(dir, 'runs.sqlite')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') },
    });
    child = proc;
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const linkLines = (): string[] => out.split('\n').filter((l) => l.startsWith('Link '));

    const url = (await until(() => /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out), 60_000, () => `the console URL; output:\n${out}`))[0];
    // The reason, not only "Connecting…": the device is named and said to be missing.
    const reason = await until(() => linkLines().find((l) => l.includes(NO_DEVICE) && /not found|no such/i.test(l)), 30_000, () => `the reason in the terminal; output:\n${out}`);
    expect(reason).toMatch(/^Link connecting: /);

    // The same words as the UI: every link message the console's snapshots carry is a line.
    const page = new URL(url);
    const messages = new Set<string>();
    let latest: ConsoleSnapshot | null = null;
    ws = new WebSocket(`ws://${page.host}${WS_PATH}?token=${page.searchParams.get('token')}`, { origin: `http://${page.host}` });
    ws.on('message', (d: WebSocket.RawData) => {
      const msg = JSON.parse(d.toString()) as WsServerMessage;
      if ('event' in msg && msg.event === 'snapshot') {
        latest = msg.payload as ConsoleSnapshot;
        messages.add(`${latest.link.state}\t${latest.link.message}`);
      }
    });
    // The port is retried several times a second; a few seconds of snapshots span many retries.
    const watchedSince = Date.now();
    await until(() => latest !== null && Date.now() - watchedSince > 3000, 30_000, () => 'snapshots from the console');
    expect(latest!.link.state).toBe('connecting');
    const printed = linkLines();
    for (const m of messages) {
      const [state, message] = m.split('\t') as [string, string];
      expect(printed, `the UI's "${message}" (${state}) in the terminal`).toContain(`Link ${state}: ${message}`);
    }
    expect(printed).toContain(`Link connecting: ${latest!.link.message}`);
    // Said once: retrying the same way does not repeat it.
    expect(new Set(printed).size, printed.join('\n')).toBe(printed.length);
  }, 120_000);
});
