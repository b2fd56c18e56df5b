/**
 * Incidents of a recorded run, explained: what happened, where, how bad, and the earliest
 * stage of the robot's pipeline that failed, with the evidence in plain words and numbers.
 * One vocabulary: detection (src/main/incidents) produces these, the review API
 * (`getIncidents`) returns them, the CLI prints them and the renderer's review UI shows them.
 * Types plus a few pure display helpers both sides word the same way.
 *
 * Times are seconds on the host clock (Unix epoch); positions in the `map` frame, metres;
 * angles radians; speeds m/s.
 */
import type { Pose2D } from './geometry';

export type IncidentKind =
  /** The operator stepped in: teleop during autonomy, an emergency stop, a cancelled goal. */
  | 'intervention'
  /** The reactive safety layer zeroed a non-zero command (consecutive ticks are one incident). */
  | 'safety-stop'
  /** Clearance to an obstacle or a person fell below a threshold while moving. */
  | 'near-miss'
  /** A goal was active and the distance to it did not shrink for a while. */
  | 'no-progress'
  /** The robot link went silent. */
  | 'link-loss'
  /** The localizer could no longer match the scan to the map: autonomy was stopped. */
  | 'localization-lost';

export type InterventionType = 'teleop' | 'emergency-stop' | 'cancel-goal';

/**
 * The robot's pipeline, in the order information flows through it. An incident is
 * attributed to the earliest stage that failed.
 */
export type PipelineStage =
  | 'link' | 'localization' | 'perception' | 'prediction' | 'global-planning' | 'local-planning' | 'reactive-control';

export type IncidentSeverity = 'low' | 'medium' | 'high';

/** Plain words plus the figures they quote (units in the key: `leadS`, `clearanceM`, …). */
export interface IncidentEvidence {
  text: string;
  numbers: Record<string, number>;
}

/**
 * One stage's check in the decision trace. `failed`: this stage is where it went wrong;
 * `ok`: the recording shows the stage did its job; `not-applicable`: the stage has no part
 * in this kind of incident; `no-data`: the recording lacks what the check needs.
 */
export interface StageCheck {
  stage: PipelineStage;
  verdict: 'failed' | 'ok' | 'not-applicable' | 'no-data';
  text: string;
  numbers: Record<string, number>;
}

/** What the incident was about, when known. Positions in the map frame. */
export type IncidentSubject =
  | { kind: 'person'; personId: number; x: number; y: number }
  | { kind: 'obstacle'; x: number; y: number }
  /** The reactive layer stopped because its sensor data went stale. */
  | { kind: 'stale-sensor' };

export interface IncidentAttribution {
  /** Earliest stage that failed; null when no stage shows a failure (e.g. the operator's own choice). */
  stage: PipelineStage | null;
  evidence: IncidentEvidence;
}

export interface Incident {
  /** 1-based index within the run, in time order (stable for a given recording and options). */
  id: number;
  runId: number | null;
  kind: IncidentKind;
  /** For interventions: what the operator did. */
  intervention?: InterventionType;
  /** Host clock, s. */
  start: number;
  /** Host clock, s (equal to `start` for instantaneous incidents). */
  end: number;
  /** Robot pose in the map frame at `start`; null when the run has no odometry by then. */
  pose: Pose2D | null;
  severity: IncidentSeverity;
  /** One line: "Safety stop: obstacle 0.31 m ahead at 0.34 m/s". */
  summary: string;
  subject: IncidentSubject | null;
  attribution: IncidentAttribution;
  /** Every stage checked, in pipeline order, up to and including the one that failed. */
  trace: StageCheck[];
  /** For interventions: the incident that preceded it and explains it, when one did. */
  relatedIncidentId: number | null;
}

/**
 * Where interventions and safety stops happen, over many runs: a grid in the map frame for
 * the renderer's map layer. Row-major, row 0 = smallest y (as an OccupancyGrid).
 */
export interface IncidentHeatmap {
  frame: 'map';
  /** Cell size, m. */
  resolution: number;
  /** Map-frame position of cell (0, 0)'s lower-left corner, m. */
  origin: { x: number; y: number };
  width: number;
  height: number;
  counts: { intervention: number[]; safetyStop: number[] };
  /** intervention + safetyStop per cell. */
  total: number[];
  /** Largest count of each layer (0 when empty). */
  max: { intervention: number; safetyStop: number; total: number };
  /** Incidents counted inside the grid, and those that fell outside the bounds asked for. */
  events: { intervention: number; safetyStop: number; outside: number };
  /** Runs read. */
  runs: number;
}

/** Short label of an incident: "Safety stop", "Emergency stop". */
export function incidentLabel(inc: Pick<Incident, 'kind' | 'intervention'>): string {
  switch (inc.kind) {
    case 'safety-stop':
      return 'Safety stop';
    case 'near-miss':
      return 'Near miss';
    case 'no-progress':
      return 'No progress';
    case 'link-loss':
      return 'Link lost';
    case 'localization-lost':
      return 'Localization lost';
    case 'intervention':
      switch (inc.intervention) {
        case 'emergency-stop':
          return 'Emergency stop';
        case 'teleop':
          return 'Teleop during autonomy';
        case 'cancel-goal':
          return 'Goal cancelled';
        default:
          return 'Operator intervention';
      }
  }
}

/**
 * Who an incident is put down to: the earliest stage that failed; when none did, the
 * operator for an intervention (their own choice), else unknown.
 */
export function incidentBlame(inc: Pick<Incident, 'kind' | 'attribution'>): PipelineStage | 'operator' | 'unknown' {
  return inc.attribution.stage ?? (inc.kind === 'intervention' ? 'operator' : 'unknown');
}

/**
 * The evidence lines shown beside the decision trace: the attribution's evidence, unless
 * it only restates a stage check the trace shows, and the incident this one follows.
 */
export function incidentEvidence(inc: Pick<Incident, 'attribution' | 'trace' | 'relatedIncidentId'>): string[] {
  const ev = inc.attribution.evidence.text;
  const lines = ev && !inc.trace.some((c) => c.text.length > 0 && ev.endsWith(c.text)) ? [ev] : [];
  if (inc.relatedIncidentId !== null) lines.push(`follows incident #${inc.relatedIncidentId}`);
  return lines;
}
