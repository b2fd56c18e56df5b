/**
 * Reading exported MCAP files back in tests, the way Foxglove does: @mcap/core's indexed
 * reader with the zstd decompress handler the exporter provides; and a small JSON Schema
 * check for messages against their channel's schema.
 */
import { open } from 'node:fs/promises';
import { McapIndexedReader, type McapTypes } from '@mcap/core';
import { mcapDecompressHandlers } from '../../../src/main/recorder/mcap-export';

export type McapMessage = McapTypes.TypedMcapRecords['Message'];

export async function readMcap(path: string): Promise<{ reader: McapIndexedReader; messages: McapMessage[]; close: () => Promise<void> }> {
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
  const reader = await McapIndexedReader.Initialize({ readable, decompressHandlers: await mcapDecompressHandlers() });
  const messages = [];
  for await (const m of reader.readMessages()) messages.push(m);
  return { reader, messages, close: () => handle.close() };
}

/**
 * A small JSON Schema check (type, required, properties, items, oneOf const) — enough to
 * catch a message missing a field Foxglove's schema requires. Returns the problems found.
 */
export function validate(schema: Record<string, unknown>, value: unknown, at = '$'): string[] {
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
