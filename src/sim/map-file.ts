/**
 * Loading map_server maps from disk for the simulator (Node only; SimCore itself takes an
 * OccupancyGrid). Parsing is the planner's map_server reader, so the simulator and the
 * console see exactly the same grid.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRosMap } from '../planner/grid/ros-map';
import type { OccupancyGrid } from '../shared/grid';

/** Absolute path of the built-in apartment's YAML (resources/maps/apartment.yaml). */
export function builtinApartmentYamlPath(): string {
  return fileURLToPath(new URL('../../resources/maps/apartment.yaml', import.meta.url));
}

/** A map file that could not be read or parsed; the message says which file and why. */
export class MapFileError extends Error {}

/** Reads a map_server YAML file and the image it names (relative to the YAML). */
export function loadMapFile(yamlPath: string): OccupancyGrid {
  let yamlText: string;
  try {
    yamlText = readFileSync(yamlPath, 'utf8');
  } catch (err) {
    throw new MapFileError(`cannot read map ${yamlPath}: ${(err as Error).message}`);
  }
  const image = /^\s*image\s*:\s*(.+?)\s*$/m.exec(yamlText)?.[1]?.replace(/^["']|["']$/g, '');
  if (!image) throw new MapFileError(`map ${yamlPath}: no 'image' entry`);
  const imagePath = isAbsolute(image) ? image : resolve(dirname(yamlPath), image);
  let imageBytes: Uint8Array;
  try {
    imageBytes = readFileSync(imagePath);
  } catch (err) {
    throw new MapFileError(`cannot read map image ${imagePath}: ${(err as Error).message}`);
  }
  const parsed = parseRosMap(yamlText, imageBytes);
  if (!parsed.ok) throw new MapFileError(`map ${yamlPath}: ${parsed.message}`);
  return parsed.value.grid;
}
