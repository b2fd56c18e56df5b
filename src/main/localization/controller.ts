/**
 * The core's side of localization and mapping: feeds every scan (with the odometry pose of
 * its own time) to the estimator, applies its map → odom corrections to the robot state,
 * records them, and turns its verdict into what the operator sees and what autonomy may do.
 *
 * Frames: scans and odometry in `odom` go out; `mapFromOdom` (map → odom, REP 105) comes
 * back. A correction is applied whenever it arrives: map → odom changes slowly, so an answer
 * one scan late is still right, and the robot's motion since is carried by odometry.
 *
 * A scan that arrives while the previous one is still being processed is dropped, never
 * queued: the estimator always works on the newest scan, however slow a loop closure is.
 */
import { ODOMETRY_ONLY, type LocalizationView } from '../../shared/api';
import type { Pose2D } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import type { LocalizationEstimate, MappingUpdate, PoseGraphData } from '../../planner/slam/types';
import type { ScanView } from '../core/state';
import type { EstimatorPort } from './port';
import type { EstimatorMode, FromEstimator, MappingStats } from './protocol';

/**
 * An estimate the filter calls uncertain is still used (and goals allowed) while its 1-σ spread
 * stays within these, m and rad: right after the operator places the robot the cloud is this
 * wide until the robot moves and the scans narrow it; wider (a global search) it is not a pose.
 */
const USABLE_SIGMA_M = 0.3;
const USABLE_SIGMA_RAD = 0.26;
/** A scan unanswered this long means the estimator is wedged; the next scan goes anyway, s. */
const WEDGED_AFTER_S = 2;
/** Below this scan-match score a mapping update is uncertain (the scan barely fits what was mapped). */
const MAPPING_UNCERTAIN_SCORE = 0.35;
/** map → odom changes smaller than these are not recorded again (m, rad): the log stays small while idle. */
const RECORD_EPS_M = 0.002;
const RECORD_EPS_RAD = 0.001;

export interface LocalizationHost {
  now(): number;
  say(level: 'info' | 'warn' | 'error', message: string): void;
  /** The estimator's map → odom: applied to the robot state. */
  correct(mapFromOdom: Pose2D): void;
  /** Records map → odom at time t (s). */
  record(mapFromOdom: Pose2D, t: number): void;
  /** Localization is lost: record the fault (with its figures) and stop autonomy, with these words. */
  lost(message: string, detail: Record<string, number>): void;
  /** Localization is back: said and recorded (it closes the incident). */
  recovered(message: string): void;
  /** The map being built grew (mapping mode). */
  mapGrown(grid: OccupancyGrid): void;
}

export class LocalizationController {
  private modeValue: EstimatorMode = 'off';
  private nextId = 1;
  private inFlight: { id: number; sentAt: number } | null = null;
  private estimate: LocalizationEstimate | null = null;
  private mapping: { update: MappingUpdate; stats: MappingStats } | null = null;
  private updateS: number | null = null;
  private lostNow = false;
  private failed: string | null = null;
  private lastRecorded: Pose2D | null = null;
  /** A localization waiting for the first scan's odometry pose on the map. */
  private pendingStart: { map: OccupancyGrid; seed: number } | null = null;
  /** Started from a pose someone gave (the operator, a simulator that knows): it stands until the filter answers. */
  private fromPlacement = false;
  private readonly pendingMaps = new Map<number, (r: { grid: OccupancyGrid; graph: PoseGraphData } | { error: string }) => void>();

  constructor(
    private readonly port: EstimatorPort,
    private readonly host: LocalizationHost,
  ) {
    port.onMessage((msg) => this.onMessage(msg));
  }

  get mode(): EstimatorMode {
    return this.modeValue;
  }

  /**
   * Localize on `map`: from `pose` (map frame), globally (null), or from where odometry puts
   * the robot on the map at the next scan ('odometry': a robot whose odometry is already in
   * the map's frame, or one the operator will place; as AMCL starts from its initial pose).
   */
  localize(map: OccupancyGrid, pose: Pose2D | null | 'odometry', seed: number): void {
    this.reset('localize');
    if (pose === 'odometry') {
      this.pendingStart = { map, seed };
      return;
    }
    this.fromPlacement = pose !== null;
    this.port.post({ type: 'localize', map, seed, pose });
  }

  /** Build a new map, or continue `graph` with the robot believed at `pose` (map frame). */
  startMapping(graph: PoseGraphData | null, pose: Pose2D | null, seed: number): void {
    this.reset('mapping');
    this.port.post({ type: 'mapping', graph, pose, seed });
  }

  off(): void {
    this.reset('off');
    this.port.post({ type: 'off' });
  }

  /** The operator's initial pose (localize mode). */
  setPose(pose: Pose2D): void {
    if (this.modeValue !== 'localize') return;
    this.lostNow = false;
    this.estimate = null;
    this.fromPlacement = true;
    this.port.post({ type: 'set-pose', pose });
  }

  globalLocalize(): void {
    if (this.modeValue !== 'localize') return;
    this.estimate = null;
    this.fromPlacement = false;
    this.port.post({ type: 'global' });
  }

  /** A new scan (already placed by the robot state): sent unless the previous one is still being worked on. */
  onScan(scan: ScanView): void {
    if (this.modeValue === 'off' || this.failed) return;
    if (this.pendingStart) {
      const { map, seed } = this.pendingStart;
      this.pendingStart = null;
      this.port.post({ type: 'localize', map, seed, pose: scan.pose });
    }
    const now = this.host.now();
    if (this.inFlight && now - this.inFlight.sentAt < WEDGED_AFTER_S) return;
    const id = this.nextId++;
    this.inFlight = { id, sentAt: now };
    const m = scan.msg;
    const h = scan.mount;
    this.port.post({
      type: 'scan',
      id,
      input: {
        scan: { time: scan.base.stamp, ranges: Float32Array.from(m.ranges), angleMin: m.angleMin, angleIncrement: m.angleIncrement, rangeMin: m.rangeMin, rangeMax: m.rangeMax },
        odom: scan.odomPose,
        mount: h,
      },
    });
  }

  /** The map built so far and its pose graph (mapping mode). */
  currentMap(): Promise<{ grid: OccupancyGrid; graph: PoseGraphData } | { error: string }> {
    if (this.modeValue !== 'mapping') return Promise.resolve({ error: 'Not mapping: start a new map (or extend one) first' });
    const id = this.nextId++;
    const answer = new Promise<{ grid: OccupancyGrid; graph: PoseGraphData } | { error: string }>((resolve) => this.pendingMaps.set(id, resolve));
    this.port.post({ type: 'get-map', id });
    return answer;
  }

  /** Why autonomy may not start now, in plain words; null when it may. */
  navigationBlocker(): string | null {
    if (this.failed) return `Localization stopped (${this.failed}): the robot's place on the map cannot be trusted. Drive by hand, or reload the map.`;
    if (this.modeValue !== 'localize') return null;
    const e = this.estimate;
    // Until the filter's first answer (its thread may still be starting) a given placement stands.
    if (!e && this.fromPlacement) return null;
    if (!e || e.quality === 'not-initialized') return "Not localized yet: say where the robot is with 'Place robot' (click where it stands, drag toward where it faces), or drive a little while it localizes.";
    if (e.quality === 'lost' || this.lostNow) return `Localization lost: ${e.reason}. Place the robot again, or drive by hand until it is found.`;
    if (e.quality === 'uncertain' && !usable(e)) return `Not sure where the robot is yet: ${e.reason}. Drive a little, or place it with 'Place robot'.`;
    return null;
  }

  view(): LocalizationView {
    const mode = this.modeValue;
    const updateMs = this.updateS === null ? null : Math.round(this.updateS * 10000) / 10;
    if (this.failed) return { ...ODOMETRY_ONLY, mode, quality: 'lost', reason: `Localization stopped: ${this.failed}`, updateMs };
    if (mode === 'off') return ODOMETRY_ONLY;
    if (mode === 'mapping') {
      const m = this.mapping;
      if (!m) return { ...ODOMETRY_ONLY, mode, quality: 'not-initialized', reason: 'Mapping: waiting for the first scan', updateMs };
      const score = m.update.matchScore;
      const quality = m.stats.scans > 1 && score < MAPPING_UNCERTAIN_SCORE ? 'uncertain' : 'localized';
      return {
        ...ODOMETRY_ONLY,
        mode,
        quality,
        reason: quality === 'uncertain' ? `Mapping: only ${Math.round(score * 100)} % of the scan fits the map so far; drive slower` : `Mapping: ${m.stats.nodes} scans kept, ${m.stats.loopClosures} loop closures`,
        agreement: score,
        mapping: { scans: m.stats.scans, nodes: m.stats.nodes, loopClosures: m.stats.loopClosures },
        updateMs,
      };
    }
    const e = this.estimate;
    if (!e) return { ...ODOMETRY_ONLY, mode, quality: 'not-initialized', reason: "Not localized yet: place the robot on the map, or drive while it searches", updateMs };
    return { mode, quality: e.quality, reason: e.reason, ellipse: ellipseOf(e), headingSigma: Math.sqrt(Math.max(0, e.covariance[8])), agreement: e.agreement, particles: e.particles, mapping: null, updateMs };
  }

  private reset(mode: EstimatorMode): void {
    this.modeValue = mode;
    this.pendingStart = null;
    this.fromPlacement = false;
    this.inFlight = null;
    this.estimate = null;
    this.mapping = null;
    this.updateS = null;
    this.lostNow = false;
    this.failed = null;
    for (const resolve of this.pendingMaps.values()) resolve({ error: 'Mapping was stopped' });
    this.pendingMaps.clear();
  }

  private onMessage(msg: FromEstimator): void {
    switch (msg.type) {
      case 'estimate':
        if (this.inFlight?.id === msg.id) this.inFlight = null;
        if (this.modeValue !== 'localize') return;
        this.updateS = msg.computeS;
        this.estimate = msg.estimate;
        if (msg.estimate) this.onEstimate(msg.estimate);
        return;
      case 'mapped':
        if (this.inFlight?.id === msg.id) this.inFlight = null;
        if (this.modeValue !== 'mapping') return;
        this.updateS = msg.computeS;
        this.mapping = { update: msg.update, stats: msg.stats };
        this.apply(msg.update.mapFromOdom);
        return;
      case 'map':
        if (this.modeValue === 'mapping') this.host.mapGrown(msg.grid);
        return;
      case 'map-result': {
        const resolve = this.pendingMaps.get(msg.id);
        this.pendingMaps.delete(msg.id);
        resolve?.(msg.grid && msg.graph ? { grid: msg.grid, graph: msg.graph } : { error: msg.error ?? 'No map' });
        return;
      }
      case 'fatal':
        this.failed = msg.message;
        this.inFlight = null;
        this.host.lost(`Localization stopped (${msg.message}): autonomy stopped; drive by hand, or reload the map`, {});
        return;
    }
  }

  private onEstimate(e: LocalizationEstimate): void {
    if (e.quality === 'lost') {
      if (!this.lostNow) {
        this.lostNow = true;
        this.host.lost(`Localization lost: ${e.reason}. Autonomy stopped; place the robot again or drive by hand until it is found`, {
          agreement: Math.round(e.agreement * 100) / 100,
          particles: e.particles,
          positionSigmaM: Math.round(Math.sqrt(Math.max(0, e.covariance[0] + e.covariance[4])) * 100) / 100,
        });
      }
      return;
    }
    if (e.quality === 'localized' || (e.quality === 'uncertain' && usable(e))) {
      if (this.lostNow && e.quality === 'localized') {
        this.host.recovered(`Localization recovered: ${e.reason}`);
        this.lostNow = false;
      }
      if (!this.lostNow) this.apply(e.mapFromOdom);
    }
  }

  private apply(mapFromOdom: Pose2D): void {
    this.host.correct(mapFromOdom);
    const last = this.lastRecorded;
    if (last && Math.hypot(last.x - mapFromOdom.x, last.y - mapFromOdom.y) < RECORD_EPS_M && Math.abs(last.theta - mapFromOdom.theta) < RECORD_EPS_RAD) return;
    this.lastRecorded = mapFromOdom;
    this.host.record(mapFromOdom, this.host.now());
  }
}


/** An estimate narrow enough to drive on (see USABLE_SIGMA_M). */
function usable(e: LocalizationEstimate): boolean {
  return Math.sqrt(Math.max(0, e.covariance[0] + e.covariance[4])) <= USABLE_SIGMA_M && Math.sqrt(Math.max(0, e.covariance[8])) <= USABLE_SIGMA_RAD;
}

/** The 1-σ position ellipse of a covariance: eigenvalues of its x–y block. */
export function ellipseOf(e: LocalizationEstimate): LocalizationView['ellipse'] {
  const c = e.covariance;
  const a = c[0];
  const b = c[1];
  const d = c[4];
  if (![a, b, d].every(Number.isFinite)) return null;
  const mean = (a + d) / 2;
  const r = Math.sqrt(((a - d) / 2) ** 2 + b * b);
  return { major: Math.sqrt(Math.max(0, mean + r)), minor: Math.sqrt(Math.max(0, mean - r)), angle: 0.5 * Math.atan2(2 * b, a - d) };
}
