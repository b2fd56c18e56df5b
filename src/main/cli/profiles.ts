/** Robot and lidar profiles as the CLI commands find them: the checkout's built-ins and the user's folder. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LidarProfile, ProfileCatalog, RobotProfile } from '../../shared/robots';
import { UsageError } from './command';
import { builtinProfilesDir, findLidarProfile, findRobotProfile, loadProfiles, userProfilesDir } from '../robot/profiles';

/** The project's root (resources/, bin/, out/). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function cliCatalog(): ProfileCatalog {
  return loadProfiles({ builtin: builtinProfilesDir(join(PROJECT_ROOT, 'resources')), user: userProfilesDir() });
}

/** A robot profile by name or file; an unknown one is a usage error listing the known. */
export function robotOrUsage(catalog: ProfileCatalog, name: string): RobotProfile {
  try {
    return findRobotProfile(catalog, name);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A lidar profile by name or file; 'none' is no lidar. */
export function lidarOrUsage(catalog: ProfileCatalog, name: string): LidarProfile | null {
  if (name === 'none') return null;
  try {
    return findLidarProfile(catalog, name);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
