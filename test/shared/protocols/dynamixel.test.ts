/**
 * DYNAMIXEL Protocol 2.0 codec, byte for byte against the ROBOTIS e-Manual's example packets
 * (https://emanual.robotis.com/docs/en/dxl/protocol2/: Ping, Read, Write and their status
 * packets), its CRC and byte-stuffing rules, and hostile input: garbage, truncation, bad CRC,
 * bad ID and length.
 */
import { describe, expect, it } from 'vitest';
import {
  ALERT_BIT, BROADCAST_ID, DynamixelDecoder, Instruction, StatusError, crc16, describeStatusError, encodeInstruction, encodePing, encodeRead,
  encodeStatus, encodeWrite, stuff, unstuff, type DynamixelDecodeEvent, type DynamixelPacket,
} from '../../../src/shared/protocols/dynamixel';

const bytes = (hex: string) => Uint8Array.from(hex.trim().split(/\s+/), (h) => parseInt(h, 16));

// The e-Manual's examples (Protocol 2.0, "Instruction Details").
const PING_ID1 = bytes('FF FF FD 00 01 03 00 01 19 4E');
const PING_BROADCAST = bytes('FF FF FD 00 FE 03 00 01 31 42');
const PING_STATUS_ID1 = bytes('FF FF FD 00 01 07 00 55 00 06 04 26 65 5D'); // model 1030 (XM430-W210), firmware 38
const PING_STATUS_ID2 = bytes('FF FF FD 00 02 07 00 55 00 06 04 26 6F 6D');
const READ_PRESENT_POSITION = bytes('FF FF FD 00 01 07 00 02 84 00 04 00 1D 15'); // address 132, 4 bytes
const READ_STATUS = bytes('FF FF FD 00 01 08 00 55 00 A6 00 00 00 8C C0'); // 166
const WRITE_GOAL_POSITION = bytes('FF FF FD 00 01 09 00 03 74 00 00 02 00 00 CA 89'); // address 116 ← 512
const WRITE_STATUS = bytes('FF FF FD 00 01 04 00 55 00 A1 0C');

/** CRC-16/BUYPASS bit by bit, straight from the polynomial (independent of the table in the codec). */
function crcBitwise(data: ArrayLike<number>): number {
  let crc = 0;
  for (let i = 0; i < data.length; i++) {
    crc ^= data[i]! << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function packets(events: DynamixelDecodeEvent[]): DynamixelPacket[] {
  return events.flatMap((e) => (e.type === 'packet' ? [e.packet] : []));
}
function errors(events: DynamixelDecodeEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'error' ? [e.reason] : []));
}

describe('encoding: the e-Manual examples', () => {
  it('encodes PING, READ and WRITE instruction packets', () => {
    expect(encodePing(1)).toEqual(PING_ID1);
    expect(encodePing(BROADCAST_ID)).toEqual(PING_BROADCAST);
    expect(encodeRead(1, 132, 4)).toEqual(READ_PRESENT_POSITION);
    expect(encodeWrite(1, 116, [0x00, 0x02, 0x00, 0x00])).toEqual(WRITE_GOAL_POSITION);
    expect(encodeInstruction(1, Instruction.Ping)).toEqual(PING_ID1);
  });

  it('encodes status packets', () => {
    expect(encodeStatus(1, 0, [0x06, 0x04, 0x26])).toEqual(PING_STATUS_ID1);
    expect(encodeStatus(2, 0, [0x06, 0x04, 0x26])).toEqual(PING_STATUS_ID2);
    expect(encodeStatus(1, 0, [0xa6, 0, 0, 0])).toEqual(READ_STATUS);
    expect(encodeStatus(1, 0)).toEqual(WRITE_STATUS);
  });

  it('computes CRC-16 (poly 0x8005, init 0) over header to last param, sent low byte first', () => {
    for (const p of [PING_ID1, PING_BROADCAST, PING_STATUS_ID1, READ_PRESENT_POSITION, READ_STATUS, WRITE_GOAL_POSITION, WRITE_STATUS]) {
      const crc = p[p.length - 2]! | (p[p.length - 1]! << 8);
      expect(crc16(p, 0, p.length - 2)).toBe(crc);
      expect(crcBitwise(p.subarray(0, p.length - 2))).toBe(crc);
    }
    // The CRC catalogue's check value for CRC-16/BUYPASS ("123456789").
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0xfee8);
  });

  it('refuses IDs the protocol reserves', () => {
    expect(() => encodePing(0xfd)).toThrow(RangeError);
    expect(() => encodePing(0xff)).toThrow(RangeError);
    expect(() => encodePing(-1)).toThrow(RangeError);
  });
});

describe('byte stuffing', () => {
  it('inserts FD after every FF FF FD and removes it again', () => {
    expect(stuff(bytes('01 FF FF FD 02'))).toEqual(bytes('01 FF FF FD FD 02'));
    expect(stuff(bytes('FF FF FD FF FF FD'))).toEqual(bytes('FF FF FD FD FF FF FD FD'));
    expect(stuff(bytes('FF FF FD FD'))).toEqual(bytes('FF FF FD FD FD'));
    expect(stuff(bytes('FF FF FC FF FD'))).toEqual(bytes('FF FF FC FF FD')); // no pattern, nothing added
    for (const raw of ['01 FF FF FD 02', 'FF FF FD FF FF FD', 'FF FF FD FD', 'FF FF FF FD 00', 'FD FD FF FF']) {
      expect(unstuff(stuff(bytes(raw)))).toEqual(bytes(raw));
    }
  });

  it('counts the stuffed byte in LEN and takes the CRC over the stuffed packet', () => {
    // WRITE to address 0x0200 of 4 data bytes FF FF FD 00: params 00 02 FF FF FD 00 → one FD stuffed.
    const pkt = encodeWrite(1, 0x0200, [0xff, 0xff, 0xfd, 0x00]);
    expect(Array.from(pkt.subarray(0, 8))).toEqual([0xff, 0xff, 0xfd, 0x00, 0x01, 0x0a, 0x00, 0x03]); // LEN 10 = inst + 6 params + 1 stuffed + CRC
    expect(Array.from(pkt.subarray(8, 15))).toEqual([0x00, 0x02, 0xff, 0xff, 0xfd, 0xfd, 0x00]);
    expect(pkt[15]! | (pkt[16]! << 8)).toBe(crcBitwise(pkt.subarray(0, 15)));
    const [ev] = new DynamixelDecoder().push(pkt);
    expect(ev).toMatchObject({ type: 'packet', packet: { kind: 'instruction', id: 1, instruction: Instruction.Write } });
    expect((ev as { packet: DynamixelPacket }).packet.params).toEqual(bytes('00 02 FF FF FD 00'));
  });

  it('stuffs a header that spans the error byte and the first param of a status packet', () => {
    // error 0xFF is not a valid error byte but the pattern rule is positional: it covers ERR too.
    const pkt = encodeStatus(1, 0xff, [0xff, 0xfd, 0x07]);
    expect(Array.from(pkt.subarray(7, 13))).toEqual([0x55, 0xff, 0xff, 0xfd, 0xfd, 0x07]);
    const [ev] = new DynamixelDecoder().push(pkt);
    expect(ev).toMatchObject({ type: 'packet', packet: { kind: 'status', error: 0xff } });
    expect((ev as { packet: DynamixelPacket }).packet.params).toEqual(bytes('FF FD 07'));
  });
});

describe('decoding', () => {
  it('decodes the e-Manual packets, one byte at a time as well as all at once', () => {
    const stream = [PING_ID1, PING_STATUS_ID1, READ_PRESENT_POSITION, READ_STATUS, WRITE_GOAL_POSITION, WRITE_STATUS];
    const all = Uint8Array.from(stream.flatMap((p) => Array.from(p)));
    const expected = [
      { kind: 'instruction', id: 1, instruction: Instruction.Ping, params: new Uint8Array(0) },
      { kind: 'status', id: 1, error: 0, params: bytes('06 04 26') },
      { kind: 'instruction', id: 1, instruction: Instruction.Read, params: bytes('84 00 04 00') },
      { kind: 'status', id: 1, error: 0, params: bytes('A6 00 00 00') },
      { kind: 'instruction', id: 1, instruction: Instruction.Write, params: bytes('74 00 00 02 00 00') },
      { kind: 'status', id: 1, error: 0, params: new Uint8Array(0) },
    ];
    const whole = new DynamixelDecoder().push(all);
    expect(errors(whole)).toEqual([]);
    expect(packets(whole)).toEqual(expected);
    const d = new DynamixelDecoder();
    const trickle = Array.from(all).flatMap((b) => d.push(Uint8Array.of(b)));
    expect(packets(trickle)).toEqual(expected);
    expect(d.pending).toBe(0);
    expect(d.stats()).toEqual({ packets: 6, crcErrors: 0, malformed: 0, garbageBytes: 0 });
  });

  it('decodes the broadcast ID', () => {
    expect(packets(new DynamixelDecoder().push(PING_BROADCAST))).toEqual([{ kind: 'instruction', id: BROADCAST_ID, instruction: Instruction.Ping, params: new Uint8Array(0) }]);
  });

  it('resynchronises on garbage, including garbage that looks like part of a header', () => {
    const garbage = bytes('00 13 FF FF FF FD 7F FF FF FD FD 42 FF');
    const d = new DynamixelDecoder();
    const ev = d.push(Uint8Array.from([...garbage, ...PING_STATUS_ID1, 0x55, 0xff, ...READ_STATUS]));
    expect(packets(ev)).toHaveLength(2);
    expect(packets(ev)[1]).toMatchObject({ kind: 'status', params: bytes('A6 00 00 00') });
    expect(errors(ev).every((r) => r === 'garbage')).toBe(true);
    expect(d.stats().garbageBytes).toBe(garbage.length + 2);
  });

  it('keeps a partial header across chunks', () => {
    const d = new DynamixelDecoder();
    expect(d.push(bytes('01 02 FF FF'))).toEqual([{ type: 'error', reason: 'garbage', detail: '2 byte(s) outside any packet', bytes: 2 }]);
    expect(d.pending).toBe(2);
    expect(packets(d.push(PING_STATUS_ID1.subarray(2)))).toEqual([{ kind: 'status', id: 1, error: 0, params: bytes('06 04 26') }]);
  });

  it('drops a packet with a bad CRC and still finds the next one', () => {
    const bad = READ_STATUS.slice();
    bad[9] = 0xa7; // data changed, CRC not
    const d = new DynamixelDecoder();
    const ev = d.push(Uint8Array.from([...bad, ...WRITE_STATUS]));
    expect(errors(ev)).toContain('crc');
    expect(packets(ev)).toEqual([{ kind: 'status', id: 1, error: 0, params: new Uint8Array(0) }]);
    expect(d.stats().crcErrors).toBe(1);
    const badCrc = PING_ID1.slice();
    badCrc[9] ^= 0x01;
    expect(errors(new DynamixelDecoder().push(badCrc))).toEqual(['crc', 'garbage']);
  });

  it('waits for a truncated packet, then recovers when the next packet arrives instead of its tail', () => {
    const d = new DynamixelDecoder();
    expect(d.push(READ_STATUS.subarray(0, 9))).toEqual([]);
    expect(d.pending).toBe(9);
    // The next answer arrives in full; its bytes complete the truncated frame's LEN, fail its CRC, and the scan finds the real one.
    const ev = d.push(Uint8Array.from([...PING_STATUS_ID1, ...WRITE_STATUS]));
    expect(errors(ev)[0]).toBe('crc');
    expect(packets(ev)).toEqual([
      { kind: 'status', id: 1, error: 0, params: bytes('06 04 26') },
      { kind: 'status', id: 1, error: 0, params: new Uint8Array(0) },
    ]);
  });

  it('rejects a bad ID and LEN outside the accepted range without waiting for the bytes they claim', () => {
    const d = new DynamixelDecoder({ maxLength: 64 });
    const badId = bytes('FF FF FD 00 FD 03 00 01 00 00');
    const tooShort = bytes('FF FF FD 00 01 02 00 01 00');
    const tooLong = bytes('FF FF FD 00 01 00 40 01'); // LEN 16384
    const ev = d.push(Uint8Array.from([...badId, ...tooShort, ...tooLong, ...PING_STATUS_ID1]));
    expect(errors(ev).filter((r) => r !== 'garbage')).toEqual(['bad-id', 'bad-length', 'bad-length']);
    expect(packets(ev)).toEqual([{ kind: 'status', id: 1, error: 0, params: bytes('06 04 26') }]);
    expect(d.stats().malformed).toBe(3);
  });

  it('rejects a status packet with no room for its error byte', () => {
    // LEN 3: instruction 0x55 and the CRC, no error byte (CRC valid).
    const body = bytes('FF FF FD 00 01 03 00 55');
    const crc = crcBitwise(body);
    const ev = new DynamixelDecoder().push(Uint8Array.from([...body, crc & 0xff, crc >> 8]));
    expect(errors(ev)).toEqual(['bad-length']);
    expect(packets(ev)).toEqual([]);
  });

  it('survives random noise and keeps decoding good packets in it', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const d = new DynamixelDecoder({ maxLength: 256 });
    let good = 0;
    for (let i = 0; i < 300; i++) {
      const noise = Uint8Array.from({ length: Math.floor(rand() * 40) }, () => (rand() < 0.3 ? 0xff : rand() < 0.5 ? 0xfd : Math.floor(rand() * 256)));
      const ev = d.push(Uint8Array.from([...noise, ...READ_STATUS]));
      good += packets(ev).filter((p) => p.kind === 'status' && p.params[0] === 0xa6).length;
    }
    // A packet is lost only when the noise before it ended in a header whose claimed length swallowed it.
    expect(good).toBeGreaterThan(270);
    expect(d.pending).toBeLessThan(300);
  });
});

describe('status errors', () => {
  it('says the error number and the Alert bit in words', () => {
    expect(describeStatusError(0)).toBe('no error');
    expect(describeStatusError(StatusError.AccessError)).toBe('access error');
    expect(describeStatusError(ALERT_BIT | StatusError.DataRangeError)).toBe('alert (hardware error) + data range error');
    expect(describeStatusError(ALERT_BIT)).toBe('alert (hardware error)');
  });
});
