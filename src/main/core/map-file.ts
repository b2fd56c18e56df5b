/**
 * Loads a ROS map_server map (YAML + PGM) from disk. The parsing itself is pure and lives
 * in src/planner/grid; this adds the file I/O and plain-words errors naming the file.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { MapPayload } from '../../shared/api';
import type { OccupancyGrid } from '../../shared/grid';
import { parseMapYaml, parseRosMap, type RosMap } from '../../planner/grid';

export type MapFileResult = { ok: true; map: RosMap; name: string } | { ok: false; message: string };

export async function loadRosMapFile(yamlPath: string): Promise<MapFileResult> {
  let yamlText: string;
  try {
    yamlText = await readFile(yamlPath, 'utf8');
  } catch (err) {
    return { ok: false, message: `cannot read map file ${yamlPath}: ${(err as Error).message}` };
  }
  const meta = parseMapYaml(yamlText);
  if (!meta.ok) return { ok: false, message: `map file ${yamlPath}: ${meta.message}` };
  const imagePath = isAbsolute(meta.value.image) ? meta.value.image : join(dirname(yamlPath), meta.value.image);
  let image: Uint8Array;
  try {
    image = await readFile(imagePath);
  } catch (err) {
    return { ok: false, message: `cannot read map image ${imagePath} (named in ${yamlPath}): ${(err as Error).message}` };
  }
  const parsed = parseRosMap(yamlText, image);
  if (!parsed.ok) return { ok: false, message: `map ${yamlPath}: ${parsed.message}` };
  return { ok: true, map: parsed.value, name: basename(yamlPath).replace(/\.ya?ml$/i, '') };
}

export function mapPayload(name: string, grid: OccupancyGrid): MapPayload {
  return {
    name,
    width: grid.width,
    height: grid.height,
    resolution: grid.resolution,
    origin: { x: grid.origin.x, y: grid.origin.y },
    dataBase64: Buffer.from(grid.data.buffer, grid.data.byteOffset, grid.data.byteLength).toString('base64'),
  };
}
