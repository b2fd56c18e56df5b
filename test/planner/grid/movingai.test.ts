import { describe, expect, it } from 'vitest';
import { movingAiToOccupancyGrid, parseMovingAiMap, parseMovingAiScenarios } from '../../../src/planner/grid/movingai';

const MAP = ['type octile', 'height 2', 'width 4', 'map', '.G@T', 'SOW.'];

describe('parseMovingAiMap', () => {
  it('reads LF, CRLF and no final newline identically', () => {
    const a = parseMovingAiMap(`${MAP.join('\n')}\n`);
    const b = parseMovingAiMap(MAP.join('\r\n'));
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(Array.from(a.value.passable)).toEqual([1, 1, 0, 0, 1, 0, 0, 1]);
    expect(b.value).toEqual(a.value);
  });

  it('keeps map row y as grid row y', () => {
    const m = parseMovingAiMap(MAP.join('\n'));
    if (!m.ok) throw new Error(m.message);
    const g = movingAiToOccupancyGrid(m.value, 0.15, { x: -4.5, y: 0 });
    expect(g.data[1 * 4 + 3]).toBe(0); // '.' at x=3, y=1
    expect(g.data[0 * 4 + 2]).toBe(100); // '@' at x=2, y=0
    expect(g.origin).toEqual({ x: -4.5, y: 0 });
  });

  it('fails clearly on broken maps', () => {
    expect(parseMovingAiMap(MAP.join('\n').replace('octile', 'hex'))).toMatchObject({ ok: false, reason: 'bad-header' });
    expect(parseMovingAiMap(MAP.slice(0, 5).join('\n'))).toMatchObject({ ok: false, reason: 'truncated' });
    const wide = parseMovingAiMap([...MAP.slice(0, 4), '.G@T.', 'SOW.'].join('\n'));
    expect(wide.ok === false && wide.message).toBe('MovingAI map: row 0 has 5 cells, width is 4');
    const bad = parseMovingAiMap([...MAP.slice(0, 4), '.G?T', 'SOW.'].join('\n'));
    expect(bad.ok === false && bad.message).toContain("unknown terrain '?' at x=2, y=0");
    expect(parseMovingAiMap('')).toMatchObject({ ok: false, reason: 'empty' });
    expect(parseMovingAiMap('type octile\nwidth 4\nmap\n....')).toMatchObject({ ok: false, reason: 'bad-size' });
  });
});

describe('parseMovingAiScenarios', () => {
  it('accepts version 1 and 1.0, tabs and spaces', () => {
    const tabs = parseMovingAiScenarios('version 1\n0\tmaps/a.map\t4\t2\t0\t0\t3\t1\t3.41421\n');
    const spaces = parseMovingAiScenarios('version 1.0\r\n0 maps/a.map 4 2 0 0 3 1 3.41421');
    expect(tabs.ok && spaces.ok).toBe(true);
    expect(tabs.ok && tabs.value).toEqual([
      { bucket: 0, map: 'maps/a.map', mapWidth: 4, mapHeight: 2, startX: 0, startY: 0, goalX: 3, goalY: 1, optimalLength: 3.41421 },
    ]);
    expect(spaces.ok && spaces.value).toEqual(tabs.ok && tabs.value);
  });

  it('fails clearly on broken scenario files', () => {
    expect(parseMovingAiScenarios('version 2\n')).toMatchObject({ ok: false, reason: 'bad-header' });
    const short = parseMovingAiScenarios('version 1\n0 a.map 4 2 0 0 3\n');
    expect(short.ok === false && short.message).toBe('MovingAI scenarios line 2: expected 9 fields, got 7');
    expect(parseMovingAiScenarios('version 1\n0 a.map 4 2 0 0 9 1 3\n')).toMatchObject({ ok: false, reason: 'bad-value' });
    expect(parseMovingAiScenarios('version 1\n0 a.map 4 2 0 0 3 1 abc\n')).toMatchObject({ ok: false, reason: 'bad-value' });
  });
});
