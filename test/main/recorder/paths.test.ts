import { describe, expect, it } from 'vitest';
import { defaultRunsDbPath, resolveRunsDbPath } from '../../../src/main/recorder/paths';

describe('defaultRunsDbPath', () => {
  const home = '/home/ada';
  it('follows XDG on Linux, with the ~/.local/share fallback', () => {
    expect(defaultRunsDbPath({ env: { XDG_DATA_HOME: '/data/x' }, platform: 'linux', home })).toBe('/data/x/foresight/runs.sqlite');
    expect(defaultRunsDbPath({ env: {}, platform: 'linux', home })).toBe('/home/ada/.local/share/foresight/runs.sqlite');
    expect(defaultRunsDbPath({ env: { XDG_DATA_HOME: 'relative' }, platform: 'linux', home })).toBe('/home/ada/.local/share/foresight/runs.sqlite');
  });
  it('uses Application Support on macOS, and FORESIGHT_DB or --db over everything', () => {
    expect(defaultRunsDbPath({ env: {}, platform: 'darwin', home })).toBe('/home/ada/Library/Application Support/Foresight/runs.sqlite');
    expect(defaultRunsDbPath({ env: { FORESIGHT_DB: '/tmp/a.sqlite', XDG_DATA_HOME: '/x' }, platform: 'linux', home })).toBe('/tmp/a.sqlite');
    expect(resolveRunsDbPath('/tmp/b.sqlite', { env: { FORESIGHT_DB: '/tmp/a.sqlite' } })).toBe('/tmp/b.sqlite');
  });
});
