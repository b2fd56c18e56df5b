import { describe, expect, it } from 'vitest';
import { linkStateWords, parseTcpAddress } from '../../src/renderer/state/format';

describe('status words', () => {
  it('says "connected" and "link lost" in plain words', () => {
    expect(linkStateWords('connected')).toBe('connected');
    expect(linkStateWords('lost')).toBe('link lost');
    expect(linkStateWords(null)).toBe('disconnected');
    expect(linkStateWords('connected', { state: 'reconnecting', message: '', attempts: 1 })).toMatch(/console offline/);
  });

  it('parses host:port', () => {
    expect(parseTcpAddress(' 127.0.0.1:5760 ')).toEqual({ host: '127.0.0.1', port: 5760 });
    expect(parseTcpAddress('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseTcpAddress('robot.local')).toHaveProperty('error');
    expect(parseTcpAddress('h:70000')).toHaveProperty('error');
  });
});
