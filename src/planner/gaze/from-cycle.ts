/**
 * Building the gaze planner's input from a navigation cycle's output, so every host (the
 * closed-loop scenario runner, the live console) feeds the gaze planner the same way.
 * Structural on purpose: it takes only the fields it reads, not the navigation stack's
 * types, so the gaze package does not depend on the nav package.
 *
 * Frames: poses and people in `map`; pan relative to base_link, radians; time in seconds
 * on the planner clock.
 */
import type { Pose2D } from '../../shared/geometry';
import type { PersonPrediction, PersonTrack } from '../../shared/people';
import type { GazeInput, GazePerson, GazeTrajectory, PanLimits } from './types';

/** The parts of a planning cycle's output the gaze planner uses (NavCycleOutput fits as is). */
export interface GazeCycleSource {
  /** The chosen trajectory (or the quick stop), null when idle. */
  trajectory: GazeTrajectory | null;
  tracks: readonly PersonTrack[];
  predictions: readonly PersonPrediction[];
  /** Collision risk of the chosen trajectory per track id, 0 … 1. */
  personRisk: ReadonlyMap<number, number>;
}

/** The people as the gaze planner sees them: each track with its prediction and the planner's risk (0 when none). */
export function gazePeople(source: Pick<GazeCycleSource, 'tracks' | 'predictions' | 'personRisk'>): GazePerson[] {
  const byTrack = new Map<number, PersonPrediction>();
  for (const p of source.predictions) byTrack.set(p.trackId, p);
  return source.tracks.map((track) => ({ track, prediction: byTrack.get(track.id), risk: source.personRisk.get(track.id) ?? 0 }));
}

/**
 * The gaze input for this cycle: the robot's measured pose (map frame) and pan now, the
 * cycle's trajectory and people, the pan limits. `now` is the time the pose and pan were
 * measured (the trajectory may start later, at the plan's effect time: the gaze planner
 * interpolates between the two).
 */
export function gazeInputFromCycle(
  source: GazeCycleSource,
  robot: { now: number; robotPose: Pose2D; pan: { angle: number; rate: number } },
  limits: PanLimits,
): GazeInput {
  return {
    now: robot.now,
    robotPose: robot.robotPose,
    pan: robot.pan,
    trajectory: source.trajectory,
    people: gazePeople(source),
    limits,
  };
}

/** Pan limits from a robot description that carries them under the simulator's / Hello's names. */
export function panLimitsOf(p: { panMin: number; panMax: number; panMaxRate: number; panMaxAccel: number }): PanLimits {
  return { panMin: p.panMin, panMax: p.panMax, panMaxRate: p.panMaxRate, panMaxAccel: p.panMaxAccel };
}
