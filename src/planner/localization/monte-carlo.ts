/**
 * Monte Carlo localization on a saved map (AMCL-class: Thrun et al., Probabilistic Robotics
 * ch. 8; Fox 2003 for KLD-sampling). Pure: no clock (scans carry their times), no global
 * randomness (a seeded generator is passed in), typed arrays for the particles and no
 * allocation per particle.
 *
 * One update, when the robot has moved enough (or a while passed while it crept):
 *   1. motion: every particle follows the odometry change, with sampled noise (motion-model.ts);
 *   2. measurement: each particle is weighted by the likelihood field (likelihood-field.ts) at
 *      ~60 subsampled beam endpoints; max-range and invalid beams say nothing and are skipped;
 *   3. estimate: weighted mean and covariance of the main cluster of particles, polished by
 *      Gauss–Newton scan matching (scan-match.ts) when that fits the scan better and stays
 *      within the particles' spread;
 *   4. resampling (low-variance, when the effective sample size falls or particles must be
 *      injected) with the count adapted by KLD-sampling, and uniformly random particles
 *      injected: a few while tracking, in proportion to how much worse the scan fits now than
 *      it used to (augmented MCL, w_slow/w_fast, weighted by a small kidnap prior so a random
 *      place must clearly beat the tracked one), and a steady share while searching (global
 *      localization, or lost) so the search goes on until a place fits.
 * While the filter has not yet been localized (or is lost and fits nowhere) it runs "wide":
 * a broader hit σ, each scan tempered to keep the effective sample size up, and roughening,
 * so the cloud does not settle on the least bad of the places it happened to start with.
 * Between updates the pose follows odometry (map ← odom held) and only the scan's agreement
 * with the map is recomputed: a few hundred cell lookups.
 *
 * Quality, judged on every scan:
 *   - 'lost': for at least `lostAfter` seconds of scans, either less than `lostAgreement` of
 *     the beams ended on the map, or more than `maxSeeThrough` of them passed through mapped
 *     walls (people only ever shorten beams, so this does not fire in a crowd; a robot carried
 *     along a corridor still sees through the corridor's end wall); or a localized estimate
 *     jumped by more than `jumpDistance`/`jumpAngle` (a kidnap the filter recovered from
 *     before the timer ran out is still a kidnap). It holds until the scan has agreed again
 *     for `recoverAfter` seconds with one dominant place. This is the fault that stops autonomy.
 *   - 'uncertain': the particle cloud is wide or multi-modal (global localization still
 *     converging), or the agreement is below `localizedAgreement`, or too many beams pass
 *     through walls;
 *   - 'localized': otherwise.
 * People and clutter are beams the map does not explain: the z_rand part of the beam model
 * keeps them from dragging the pose; 'localized' tolerates 40 % of them, 'lost' needs more than
 * half of the scan unexplained for a second.
 *
 * Frames (REP 105): particles and estimates are base_link in `map`; odometry is base_link in
 * `odom`; `mapFromOdom` is map ← odom, so pose = mapFromOdom ∘ odom. Metres, radians, seconds.
 */
import type { Pose2D } from '../../shared/geometry';
import { angleDiff, normalizeAngle } from '../../shared/geometry';
import type { OccupancyGrid } from '../../shared/grid';
import { Prng, type Rng } from '../random';
import type { Covariance3, LocalizationEstimate, LocalizationQuality, Localizer, ScanInput } from '../slam/types';
import { BinSet, kldBound, normalUpperQuantile } from './kld';
import { endpointLogLikelihoodTable, LUT_STEP, MapModel } from './likelihood-field';
import { NormalSampler, sampleOdometryMotion, type OdometryNoise } from './motion-model';
import { composePose as compose, invertPose as invert, relativePose as between } from '../../shared/geometry';
import { ScanMatcher, type ScanMatchResult } from './scan-match';

const DEG = Math.PI / 180;
/** Augmented MCL injects only once the long-term average has seen this many updates. */
const MIN_SLOW_UPDATES = 10;
/** Scans with fewer valid beams than this say nothing about whether the pose is right. */
const MIN_BEAMS = 10;

export interface MonteCarloConfig {
  // --- particles -----------------------------------------------------------------------
  /** Fewest particles kept, even when converged. */
  minParticles: number;
  /** Most particles; global localization and setPose start with this many. */
  maxParticles: number;
  /** KLD bound: the sampled posterior is within this KL distance of the true one... */
  kldEpsilon: number;
  /** ...with probability 1 − kldDelta. */
  kldDelta: number;
  /** KLD histogram bin edge in x and y, metres. */
  kldBinXY: number;
  /** KLD histogram bin width in heading, radians. */
  kldBinTheta: number;
  /** Resample when the effective sample size falls below this fraction of the particles. */
  resampleThreshold: number;
  /** 1-σ spread of setPose's particles when the caller gives none: metres, radians. */
  initialSigma: { xy: number; theta: number };

  // --- motion --------------------------------------------------------------------------
  /** Odometry noise coefficients (motion-model.ts). */
  odometryNoise: OdometryNoise;
  /** The filter updates once odometry has moved this far, metres... */
  updateDistance: number;
  /** ...or turned this much, radians... */
  updateAngle: number;
  /** ...or this many seconds passed with any motion at all (slow creeping). */
  updateInterval: number;

  // --- measurement ---------------------------------------------------------------------
  /** Beams weighed per particle: the valid beams are subsampled evenly to at most this many. */
  beams: number;
  /** Weight of the Gaussian hit component of the endpoint model. */
  zHit: number;
  /** Weight of the uniform random component (people, clutter), over [0, rangeMax]. */
  zRand: number;
  /** 1-σ of the hit component while tracking, metres. */
  sigmaHit: number;
  /**
   * 1-σ used while searching (not yet localized since setPose/globalLocalize, or lost and
   * fitting nowhere), metres: a broader basin, so a particle a few decimetres from the truth
   * already outscores the rest (annealing).
   */
  sigmaHitWide: number;
  /**
   * Exponent on each particle's scan likelihood (1 = beams independent). Neighbouring beams
   * are correlated (same wall, same map error), so the product over-counts evidence; < 1
   * keeps the weights from collapsing onto one particle too early.
   */
  likelihoodPower: number;
  /**
   * While the cloud is wide (global localization, lost), each scan is tempered so the effective
   * sample size stays at least this fraction of the particles (0: no tempering).
   */
  wideEssTarget: number;
  /**
   * While the cloud is wide, resampled particles are jittered by this 1-σ (metres, radians):
   * roughening (Gordon et al. 1993), so duplicates spread out and climb towards the true
   * pose instead of all sitting on the few spots the initial spread happened to hit.
   */
  roughening: { xy: number; theta: number };
  /**
   * An endpoint in an unknown (or off-map) cell scores as if this far from a surface, metres.
   * Default: maxDistance, i.e. like a beam the map cannot explain (z_rand only, as ROS amcl
   * does). Unknown space is no evidence for a pose; scoring it any better lets wrong poses
   * whose beams leave the map outscore the true one when people block part of the view.
   */
  unknownDistance: number;
  /** Distances in the likelihood field are capped here, metres. */
  maxDistance: number;
  /** Map thresholds, percent, as in map_server. */
  occupiedThreshold: number;
  freeThreshold: number;
  /** Particles are spread only where base_link is at least this far from obstacles, metres. */
  minClearance: number;

  // --- recovery (augmented MCL) ------------------------------------------------------------
  /** Smoothing of the long-term average scan likelihood, per update. */
  alphaSlow: number;
  /** Smoothing of the short-term average scan likelihood, per update. */
  alphaFast: number;
  /**
   * While lost, or globally localizing, and the estimate still fits the scan poorly (agreement
   * below localizedAgreement, or too many beams through walls), at least this fraction of
   * resampled particles is drawn uniformly over free space: the search for the pose goes on
   * until a place fits, instead of the cloud settling on the least bad of the places it
   * happened to start with.
   */
  searchInjection: number;
  /**
   * Cap on augmented MCL's injection (1 − w_fast/w_slow) while tracking. People blocking the
   * view lower the short-term average too; a large random share then mostly finds symmetric
   * look-alike places. Recovery proper comes from `searchInjection` once lost.
   */
  maxAugmentedInjection: number;
  /** Prior probability, per filter update, that the robot was carried off while tracking (weights injected particles). */
  kidnapPrior: number;

  // --- estimate ----------------------------------------------------------------------------
  /** Particles within this distance (m) and heading difference (rad) of the main mode form the main cluster. */
  clusterRadiusXY: number;
  clusterRadiusTheta: number;
  /** Polish the mean by scan matching. */
  refine: boolean;
  /** Beams used by the scan matcher (subsampled evenly from the valid ones). */
  refineBeams: number;
  refineIterations: number;
  /** Scan-matcher residual cutoff and Huber threshold, metres. */
  refineCutoff: number;
  refineHuber: number;
  /** The refined pose must stay within this many σ of the particle mean (floors below, m and rad). */
  refineGateSigmas: number;
  refineGateXY: number;
  refineGateTheta: number;

  // --- quality -----------------------------------------------------------------------------
  /** A beam agrees with the map when its endpoint is within this distance of a surface, metres (null: 2.5 cells). */
  agreementDistance: number | null;
  /** 'localized' needs at least this agreement... */
  localizedAgreement: number;
  /** ...the main cluster holding at least this fraction of the weight... */
  localizedClusterWeight: number;
  /** ...and a spread (1-σ) below these, metres and radians. */
  localizedSpreadXY: number;
  localizedSpreadTheta: number;
  /**
   * A beam passing through a mapped obstacle this far (m) or more before its endpoint "sees
   * through" the map. Large enough that a beam grazing a wall near its end, from a pose a few
   * centimetres off, does not count.
   */
  seeThroughMargin: number;
  /**
   * More than this fraction of beams through walls counts as a bad scan, like low agreement.
   * People only shorten beams, so this stays near 0 in a crowd (≤ 0.07 with eleven people
   * around the robot in the simulator, from grazing beams while the pose is a few cm off) and
   * jumps after a kidnap (0.2–0.3 carried along the hallway, 0.5 into another room).
   */
  maxSeeThrough: number;
  /** Agreement below this (or see-through above maxSeeThrough) for `lostAfter` seconds and at least `lostMinScans` scans means lost. */
  lostAgreement: number;
  lostAfter: number;
  lostMinScans: number;
  /** Lost clears after the agreement has been at least this, with one dominant place and little see-through, for `recoverAfter` seconds. */
  recoverAgreement: number;
  recoverAfter: number;
  /** A localized estimate that jumps this far (m) or turns this much (rad) beyond odometry means lost. */
  jumpDistance: number;
  jumpAngle: number;
}

export const DEFAULT_MONTE_CARLO_CONFIG: MonteCarloConfig = {
  minParticles: 100,
  maxParticles: 5000,
  kldEpsilon: 0.05,
  kldDelta: 0.01,
  kldBinXY: 0.1,
  kldBinTheta: 10 * DEG,
  resampleThreshold: 0.5,
  initialSigma: { xy: 0.3, theta: 15 * DEG },

  odometryNoise: { alpha1: 0.05, alpha2: 0.02, alpha3: 0.02, alpha4: 0.01 },
  updateDistance: 0.05,
  updateAngle: 3 * DEG,
  updateInterval: 1.0,

  beams: 60,
  zHit: 0.9,
  zRand: 0.1,
  sigmaHit: 0.1,
  sigmaHitWide: 0.3,
  likelihoodPower: 1,
  wideEssTarget: 0.5,
  roughening: { xy: 0.05, theta: 3 * DEG },
  unknownDistance: 2.0,
  maxDistance: 2.0,
  occupiedThreshold: 65,
  freeThreshold: 19,
  minClearance: 0.1,

  alphaSlow: 0.001,
  alphaFast: 0.1,
  searchInjection: 0.2,
  maxAugmentedInjection: 0.1,
  kidnapPrior: 1e-5,

  clusterRadiusXY: 0.5,
  clusterRadiusTheta: 30 * DEG,
  refine: true,
  refineBeams: 180,
  refineIterations: 10,
  refineCutoff: 0.2,
  refineHuber: 0.03,
  refineGateSigmas: 3,
  refineGateXY: 0.05,
  refineGateTheta: 2 * DEG,

  agreementDistance: null,
  localizedAgreement: 0.6,
  localizedClusterWeight: 0.9,
  localizedSpreadXY: 0.15,
  localizedSpreadTheta: 6 * DEG,
  seeThroughMargin: 0.3,
  maxSeeThrough: 0.15,
  lostAgreement: 0.5,
  lostAfter: 1.0,
  lostMinScans: 3,
  recoverAgreement: 0.6,
  recoverAfter: 1.0,
  jumpDistance: 0.5,
  jumpAngle: 30 * DEG,
};

/** Overrides for the defaults; `odometryNoise`, `initialSigma` and `roughening` may be partial. */
export type MonteCarloOptions = Partial<Omit<MonteCarloConfig, 'odometryNoise' | 'initialSigma' | 'roughening'>> & {
  odometryNoise?: Partial<OdometryNoise>;
  initialSigma?: Partial<MonteCarloConfig['initialSigma']>;
  roughening?: Partial<MonteCarloConfig['roughening']>;
};

/** Counters and internals for benches, tests and the status bar. */
export interface MonteCarloDiagnostics {
  /** Scans seen and full filter updates run. */
  scans: number;
  filterUpdates: number;
  /** Whether the last `update` ran the filter (false: odometry only). */
  lastWasFilterUpdate: boolean;
  /** Effective sample size after the last measurement update. */
  effectiveSampleSize: number;
  /** Long- and short-term average per-beam likelihood (augmented MCL). */
  wSlow: number;
  wFast: number;
  /** Fraction of particles drawn at random at the last resampling. */
  injected: number;
  /** Weight of the main cluster after the last measurement update, 0..1. */
  clusterWeight: number;
  /** Whether the last scan-matching refinement was accepted. */
  refined: boolean;
  /** Hit σ used by the last measurement update, metres. */
  sigmaUsed: number;
  /** Exponent applied to the last scan likelihood (1 = all of its evidence; < 1 while wide). */
  tempering: number;
  /** Fraction of the last scan's beams passing through mapped obstacles at the estimate. */
  seeThrough: number;
}

/** Read-only views of the particle set (valid until the next update). */
export interface ParticleView {
  count: number;
  x: Float64Array;
  y: Float64Array;
  theta: Float64Array;
  weight: Float64Array;
}

/** Why 'lost' was latched. */
type LostCause = 'agreement' | 'jump';

export class MonteCarloLocalizer implements Localizer {
  readonly config: MonteCarloConfig;
  readonly map: MapModel;
  private readonly rng: Rng;
  private readonly normal: NormalSampler;
  private readonly matcher: ScanMatcher;
  private readonly kldBins: BinSet;
  private readonly clusterBins: BinSet;
  private readonly kldZ: number;
  private readonly agreementDistance: number;

  // Particles: current set (p*), the set being built by resampling (a*), the systematic draw (q*).
  private n = 0;
  private px: Float64Array;
  private py: Float64Array;
  private pt: Float64Array;
  private readonly pw: Float64Array;
  private ax: Float64Array;
  private ay: Float64Array;
  private at: Float64Array;
  private readonly qx: Float64Array;
  private readonly qy: Float64Array;
  private readonly qt: Float64Array;
  private readonly logL: Float64Array;
  private readonly pc: Float64Array;
  private readonly ps: Float64Array;
  // Per-bin sums for the main-mode search.
  private readonly binW: Float64Array;
  private readonly binX: Float64Array;
  private readonly binY: Float64Array;
  private readonly binC: Float64Array;
  private readonly binS: Float64Array;

  // The current scan in base_link: every valid endpoint, and the subsets for weighting and matching.
  private ex: Float64Array = new Float64Array(0);
  private ey: Float64Array = new Float64Array(0);
  private nValid = 0;
  private sx: Float64Array = new Float64Array(0);
  private sy: Float64Array = new Float64Array(0);
  private nSub = 0;
  private rx: Float64Array = new Float64Array(0);
  private ry: Float64Array = new Float64Array(0);
  private nRefine = 0;

  // Likelihood tables (log p per mm of surface distance) for the tracking and the wide σ.
  private lutFine: Float64Array = new Float64Array(0);
  private lutWide: Float64Array = new Float64Array(0);
  private lutRangeMax = Number.NaN;
  private unknownFine = 0;
  private unknownWide = 0;

  private initialized = false;
  private lastOdom: Pose2D | null = null;
  private lastUpdateTime = Number.NEGATIVE_INFINITY;
  private lastScanTime = Number.NEGATIVE_INFINITY;
  private mapFromOdom: Pose2D = { x: 0, y: 0, theta: 0 };
  private current: LocalizationEstimate | null = null;
  private wSlow = Number.NaN;
  private wFast = Number.NaN;
  /** Updates averaged into wFast (since init) and wSlow (since first localized). */
  private fastCount = 0;
  private slowCount = 0;
  // Main cluster of the last measurement update.
  private clusterWeight = 0;
  private spreadXY = Number.POSITIVE_INFINITY;
  private spreadTheta = Number.POSITIVE_INFINITY;
  private covariance: Covariance3 = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  private everLocalized = false;
  /** Initialized by globalLocalize (the pose is anywhere) rather than by setPose. */
  private globalSearch = false;
  /** Agreement at the pose of the last filter update. */
  private lastAgreement = 0;
  /** Fraction of the last scan's beams that pass through mapped obstacles at the estimate. */
  private seeThrough = 0;
  private lastSeeThrough = 0;
  /** Lidar position in base_link, metres. */
  private mountX = 0;
  private mountY = 0;
  // Lost state machine.
  private lowSince = Number.NaN;
  private lowScans = 0;
  private goodSince = Number.NaN;
  private lost: LostCause | null = null;
  private jumped = 0;
  private readonly diag: MonteCarloDiagnostics = {
    scans: 0,
    filterUpdates: 0,
    lastWasFilterUpdate: false,
    effectiveSampleSize: 0,
    wSlow: Number.NaN,
    wFast: Number.NaN,
    injected: 0,
    clusterWeight: 0,
    refined: false,
    sigmaUsed: 0,
    tempering: 1,
    seeThrough: 0,
  };
  private readonly match: ScanMatchResult = { x: 0, y: 0, theta: 0, costBefore: 0, costAfter: 0, inliers: 0 };

  /**
   * `map`: the saved map (`map` frame). `options`: overrides of DEFAULT_MONTE_CARLO_CONFIG.
   * `seed`: a number or a generator; every random draw of the filter comes from it.
   */
  constructor(map: OccupancyGrid, options: MonteCarloOptions = {}, seed: number | Rng = 1) {
    const d = DEFAULT_MONTE_CARLO_CONFIG;
    this.config = {
      ...d,
      ...options,
      odometryNoise: { ...d.odometryNoise, ...options.odometryNoise },
      initialSigma: { ...d.initialSigma, ...options.initialSigma },
      roughening: { ...d.roughening, ...options.roughening },
    } as MonteCarloConfig;
    const c = this.config;
    if (!(c.maxParticles >= 1) || !(c.minParticles >= 1) || c.minParticles > c.maxParticles) {
      throw new RangeError(`particle limits must satisfy 1 ≤ minParticles ≤ maxParticles (got ${c.minParticles}, ${c.maxParticles})`);
    }
    this.rng = typeof seed === 'number' ? new Prng(seed) : seed;
    this.normal = new NormalSampler(this.rng);
    this.map = new MapModel(map, {
      occupiedThreshold: c.occupiedThreshold,
      freeThreshold: c.freeThreshold,
      maxDistance: c.maxDistance,
      minClearance: c.minClearance,
    });
    this.matcher = new ScanMatcher(this.map, { iterations: c.refineIterations, cutoff: c.refineCutoff, huber: c.refineHuber });
    this.kldZ = normalUpperQuantile(c.kldDelta);
    this.agreementDistance = c.agreementDistance ?? 2.5 * map.resolution;
    const m = c.maxParticles;
    this.px = new Float64Array(m);
    this.py = new Float64Array(m);
    this.pt = new Float64Array(m);
    this.pw = new Float64Array(m);
    this.ax = new Float64Array(m);
    this.ay = new Float64Array(m);
    this.at = new Float64Array(m);
    this.qx = new Float64Array(m);
    this.qy = new Float64Array(m);
    this.qt = new Float64Array(m);
    this.logL = new Float64Array(m);
    this.pc = new Float64Array(m);
    this.ps = new Float64Array(m);
    this.binW = new Float64Array(m);
    this.binX = new Float64Array(m);
    this.binY = new Float64Array(m);
    this.binC = new Float64Array(m);
    this.binS = new Float64Array(m);
    this.kldBins = new BinSet(m);
    this.clusterBins = new BinSet(m);
  }

  // --- Localizer -------------------------------------------------------------------------

  /** A non-finite pose or spread is ignored: the filter keeps what it had. */
  setPose(pose: Pose2D, sigma?: { xy: number; theta: number }): void {
    const sxy = Math.abs(sigma?.xy ?? this.config.initialSigma.xy);
    const sth = Math.abs(sigma?.theta ?? this.config.initialSigma.theta);
    if (![pose.x, pose.y, pose.theta, sxy, sth].every(Number.isFinite)) return;
    const n = this.config.maxParticles;
    for (let i = 0; i < n; i++) {
      this.px[i] = pose.x + sxy * this.normal.next();
      this.py[i] = pose.y + sxy * this.normal.next();
      this.pt[i] = normalizeAngle(pose.theta + sth * this.normal.next());
      this.pw[i] = 1 / n;
    }
    this.n = n;
    this.reset();
  }

  globalLocalize(): void {
    const n = this.config.maxParticles;
    for (let i = 0; i < n; i++) this.randomParticle(this.px, this.py, this.pt, i);
    this.pw.fill(1 / n, 0, n);
    this.n = n;
    this.reset();
    this.globalSearch = true;
  }

  update(input: ScanInput): LocalizationEstimate | null {
    if (!this.initialized) return null;
    const time = input.scan.time;
    const o = input.odom;
    // Garbage in (a corrupt odometry frame, a scan without a time) changes nothing.
    if (!Number.isFinite(time) || !Number.isFinite(o.x) || !Number.isFinite(o.y) || !Number.isFinite(o.theta)) return this.current;
    if (time < this.lastScanTime) {
      // The clock went back (a log restarted): timers measured on the old clock mean nothing.
      this.lowSince = Number.NaN;
      this.goodSince = Number.NaN;
      this.lastUpdateTime = Number.NEGATIVE_INFINITY;
    }
    this.lastScanTime = time;
    this.prepareScan(input);
    this.diag.scans++;
    const odom = input.odom;
    let filtered = false;
    if (this.lastOdom === null) {
      // First scan since (re)initialization: weigh the fresh particles where they are.
      this.filterUpdate(input, false);
      filtered = true;
    } else {
      const delta = between(this.lastOdom, odom);
      const moved = Math.hypot(delta.x, delta.y);
      const turned = Math.abs(delta.theta);
      const enough = moved >= this.config.updateDistance || turned >= this.config.updateAngle;
      const creeping = (moved > 1e-3 || turned > 1e-3) && time - this.lastUpdateTime >= this.config.updateInterval;
      if (enough || creeping) {
        this.filterUpdate(input, true);
        filtered = true;
      }
    }
    this.diag.lastWasFilterUpdate = filtered;
    const pose = compose(this.mapFromOdom, odom);
    const agreement = filtered ? this.lastAgreement : this.agreementAt(pose);
    if (filtered) this.seeThrough = this.lastSeeThrough;
    this.diag.seeThrough = this.seeThrough;
    this.current = this.assess(time, pose, agreement);
    return this.current;
  }

  estimate(): LocalizationEstimate | null {
    return this.current;
  }

  // --- extras ----------------------------------------------------------------------------

  /** The particle set, for drawing (views into the filter's buffers: copy to keep). */
  particles(): ParticleView {
    return {
      count: this.n,
      x: this.px.subarray(0, this.n),
      y: this.py.subarray(0, this.n),
      theta: this.pt.subarray(0, this.n),
      weight: this.pw.subarray(0, this.n),
    };
  }

  diagnostics(): Readonly<MonteCarloDiagnostics> {
    return this.diag;
  }

  // --- the filter ------------------------------------------------------------------------

  private reset(): void {
    this.initialized = true;
    this.lastOdom = null;
    this.lastUpdateTime = Number.NEGATIVE_INFINITY;
    this.current = null;
    this.wSlow = Number.NaN;
    this.wFast = Number.NaN;
    this.fastCount = 0;
    this.slowCount = 0;
    this.clusterWeight = 0;
    this.spreadXY = Number.POSITIVE_INFINITY;
    this.spreadTheta = Number.POSITIVE_INFINITY;
    this.everLocalized = false;
    this.lowSince = Number.NaN;
    this.lowScans = 0;
    this.goodSince = Number.NaN;
    this.lost = null;
    this.globalSearch = false;
    this.lastAgreement = 0;
    this.lastSeeThrough = 0;
    this.seeThrough = 0;
  }

  private filterUpdate(input: ScanInput, withMotion: boolean): void {
    const c = this.config;
    const odom = input.odom;
    const predicted = compose(this.mapFromOdom, odom);
    if (withMotion && this.lastOdom) sampleOdometryMotion(this.px, this.py, this.pt, this.n, this.lastOdom, odom, c.odometryNoise, this.normal);
    this.lastOdom = { ...odom };
    this.lastUpdateTime = input.scan.time;
    this.diag.filterUpdates++;

    // Wide: not localized yet since (re)initialization, or lost and not yet fitting anywhere.
    // Deliberately not "the cloud looks multi-modal right now": a few injected particles that
    // happen to fit a symmetric place must not switch a tracking filter to the broad model.
    const poorFit = this.lastAgreement < c.recoverAgreement || this.lastSeeThrough > c.maxSeeThrough;
    const searching = this.lost !== null && poorFit;
    const wide = searching || !this.everLocalized;
    this.ensureTables(input.scan.rangeMax);
    const wAvg = this.measure(wide);
    // Exponential averages that start as running means (α = max(α, 1/k) over the k updates so
    // far), so neither is stuck near its first value. The long-term one only starts once the
    // filter has been localized: it is the yardstick of a filter that is right.
    this.fastCount++;
    this.wFast = this.fastCount === 1 ? wAvg : this.wFast + Math.max(c.alphaFast, 1 / this.fastCount) * (wAvg - this.wFast);
    if (this.everLocalized) {
      this.slowCount++;
      this.wSlow = this.slowCount === 1 ? wAvg : this.wSlow + Math.max(c.alphaSlow, 1 / this.slowCount) * (wAvg - this.wSlow);
    }
    this.diag.wSlow = this.wSlow;
    this.diag.wFast = this.wFast;

    const mean = this.mainCluster();
    let pose = mean;
    this.diag.refined = false;
    if (c.refine && this.nRefine >= 10) {
      this.matcher.refine(mean, this.rx, this.ry, this.nRefine, this.match);
      const m = this.match;
      const gateXY = Math.max(c.refineGateXY, c.refineGateSigmas * this.spreadXY);
      const gateTheta = Math.max(c.refineGateTheta, c.refineGateSigmas * this.spreadTheta);
      if (m.costAfter < m.costBefore && Math.hypot(m.x - mean.x, m.y - mean.y) <= gateXY && Math.abs(angleDiff(m.theta, mean.theta)) <= gateTheta) {
        pose = { x: m.x, y: m.y, theta: m.theta };
        this.diag.refined = true;
      }
    }
    // A localized estimate that leaps away from where odometry carried it: the robot was moved.
    if (this.everLocalized && this.lost === null) {
      const jump = Math.hypot(pose.x - predicted.x, pose.y - predicted.y);
      const turn = Math.abs(angleDiff(pose.theta, predicted.theta));
      if (jump > c.jumpDistance || turn > c.jumpAngle) {
        this.lost = 'jump';
        this.jumped = jump;
        this.goodSince = Number.NaN;
      }
    }
    this.mapFromOdom = compose(pose, invert(odom));
    this.lastAgreement = this.agreementAt(pose);
    this.lastSeeThrough = this.seeThrough;

    let inject = 0;
    // Augmented MCL, capped: a burst of mostly random particles, each judged on one scan,
    // would drown the evidence the surviving particles carry.
    if (this.wSlow > 0 && this.slowCount >= MIN_SLOW_UPDATES) inject = Math.min(c.maxAugmentedInjection, Math.max(0, 1 - this.wFast / this.wSlow));
    // Prior weight of an injected particle relative to a resampled one. While tracking, the
    // prior says the robot was carried off with probability kidnapPrior per update; the
    // injected share p over-represents that, so importance weighting gives each random
    // particle (κ/p)/((1−κ)/(1−p)): a random place must beat the tracked one clearly, not
    // just fit one crowded scan a little better. While searching, every place is equally likely.
    let injectedWeight = inject > 0 ? (c.kidnapPrior / inject) * ((1 - inject) / (1 - c.kidnapPrior)) : 1;
    // Search: lost, or globally localizing (not after setPose: the operator's pose is the prior
    // until the filter, having settled there, finds it does not fit, which is 'lost').
    if ((this.lost !== null || (wide && this.globalSearch)) && (this.lastAgreement < c.localizedAgreement || this.lastSeeThrough > c.maxSeeThrough)) {
      inject = Math.max(inject, c.searchInjection);
      injectedWeight = 1;
    }
    this.diag.injected = 0;
    if (this.diag.effectiveSampleSize < c.resampleThreshold * this.n || inject > 0.01) this.resample(inject, wide, injectedWeight);
  }

  /** (Re)builds the distance → log-likelihood tables when the sensor's range changes. */
  private ensureTables(rangeMax: number): void {
    const r = Number.isFinite(rangeMax) && rangeMax > 0 ? rangeMax : 10;
    if (r === this.lutRangeMax) return;
    const c = this.config;
    this.lutFine = endpointLogLikelihoodTable({ zHit: c.zHit, zRand: c.zRand, sigmaHit: c.sigmaHit, rangeMax: r }, c.maxDistance, this.lutFine);
    this.lutWide = endpointLogLikelihoodTable({ zHit: c.zHit, zRand: c.zRand, sigmaHit: c.sigmaHitWide, rangeMax: r }, c.maxDistance, this.lutWide);
    const u = Math.min(this.lutFine.length - 1, Math.round(c.unknownDistance / LUT_STEP));
    this.unknownFine = this.lutFine[u]!;
    this.unknownWide = this.lutWide[Math.min(this.lutWide.length - 1, u)]!;
    this.lutRangeMax = r;
  }

  /**
   * Measurement update: multiplies each weight by the (tempered) scan likelihood and
   * normalizes; returns the prior-weighted average per-beam likelihood (augmented MCL's w_avg,
   * always on the tracking σ so the averages stay comparable).
   */
  private measure(wide: boolean): number {
    const c = this.config;
    const map = this.map;
    const sdf = map.sdf;
    const width = map.width;
    const height = map.height;
    const ox = map.originX;
    const oy = map.originY;
    const inv = map.invResolution;
    const obstacle = map.obstacle;
    const fine = this.lutFine;
    const lut = wide ? this.lutWide : this.lutFine;
    const last = lut.length - 1;
    const scale = 1 / LUT_STEP;
    const unknownFine = this.unknownFine;
    const unknownUsed = wide ? this.unknownWide : this.unknownFine;
    const nSub = this.nSub;
    const sx = this.sx;
    const sy = this.sy;
    const power = c.likelihoodPower;
    const n = this.n;
    this.diag.sigmaUsed = wide ? c.sigmaHitWide : c.sigmaHit;
    let maxL = Number.NEGATIVE_INFINITY;
    let wAvg = 0;
    for (let i = 0; i < n; i++) {
      const x = this.px[i]!;
      const y = this.py[i]!;
      const cs = Math.cos(this.pt[i]!);
      const sn = Math.sin(this.pt[i]!);
      this.pc[i] = cs;
      this.ps[i] = sn;
      const col0 = Math.floor((x - ox) * inv);
      const row0 = Math.floor((y - oy) * inv);
      if (col0 < 0 || row0 < 0 || col0 >= width || row0 >= height || obstacle[row0 * width + col0]) {
        // base_link inside a wall or off the map: impossible.
        this.logL[i] = Number.NEGATIVE_INFINITY;
        continue;
      }
      let l = 0;
      let lf = 0;
      // Grid coordinates of base_link and of each beam step, in cells (truncation is floor once
      // the bounds test has passed).
      const gx = (x - ox) * inv;
      const gy = (y - oy) * inv;
      const ci = cs * inv;
      const si = sn * inv;
      for (let k = 0; k < nSub; k++) {
        const bx = sx[k]!;
        const by = sy[k]!;
        const u = gx + ci * bx - si * by;
        const v = gy + si * bx + ci * by;
        let term = unknownUsed;
        let termFine = unknownFine;
        if (u >= 0 && v >= 0 && u < width && v < height) {
          const s = sdf[(v | 0) * width + (u | 0)]!;
          if (s === s) {
            const q = (s < 0 ? -s : s) * scale;
            const idx = q < last ? q | 0 : last;
            term = lut[idx]!;
            termFine = fine[idx]!;
          }
        }
        l += term;
        lf += termFine;
      }
      l *= power;
      this.logL[i] = l;
      if (l > maxL) maxL = l;
      if (nSub > 0) wAvg += this.pw[i]! * Math.exp(lf / nSub);
    }
    if (maxL === Number.NEGATIVE_INFINITY) {
      // Every particle impossible (or no beams): keep the prior weights.
      this.diag.effectiveSampleSize = this.effectiveSampleSize();
      return wAvg;
    }
    // While the cloud is wide, take only as much of this scan's evidence as keeps the effective
    // sample size at wideEssTarget·n (adaptive tempering): the weights cannot collapse onto the
    // few particles that happen to fit one scan best before driving has told the places apart.
    const gamma = wide ? this.temperingExponent(maxL) : 1;
    this.diag.tempering = gamma;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = this.pw[i]! * Math.exp(gamma * (this.logL[i]! - maxL));
      this.pw[i] = w;
      total += w;
    }
    if (!(total > 0) || !Number.isFinite(total)) {
      // The prior weights underflowed against the new likelihood: fall back to the likelihood.
      total = 0;
      for (let i = 0; i < n; i++) {
        const w = Math.exp(gamma * (this.logL[i]! - maxL));
        this.pw[i] = w;
        total += w;
      }
    }
    const invTotal = 1 / total;
    for (let i = 0; i < n; i++) this.pw[i] = this.pw[i]! * invTotal;
    this.diag.effectiveSampleSize = this.effectiveSampleSize();
    return wAvg;
  }

  /** Largest γ in (0, 1] with ESS(prior · L^γ) ≥ wideEssTarget · n, by bisection. */
  private temperingExponent(maxL: number): number {
    const target = this.config.wideEssTarget * this.n;
    if (this.essWithExponent(1, maxL) >= target) return 1;
    let lo = 0;
    let hi = 1;
    for (let it = 0; it < 14; it++) {
      const mid = (lo + hi) / 2;
      if (this.essWithExponent(mid, maxL) >= target) lo = mid;
      else hi = mid;
    }
    return Math.max(lo, 1e-4);
  }

  private essWithExponent(gamma: number, maxL: number): number {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < this.n; i++) {
      const w = this.pw[i]! * Math.exp(gamma * (this.logL[i]! - maxL));
      s += w;
      s2 += w * w;
    }
    return s2 > 0 ? (s * s) / s2 : 0;
  }

  private effectiveSampleSize(): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) s += this.pw[i]! * this.pw[i]!;
    return s > 0 ? 1 / s : 0;
  }

  /**
   * The main cluster: the heaviest coarse bin (2 × clusterRadiusXY, 2 × clusterRadiusTheta)
   * seeds a weighted mean that is re-centred a few times over the particles within the
   * cluster radii. Sets clusterWeight, spreads and covariance; returns the mean.
   */
  private mainCluster(): Pose2D {
    const c = this.config;
    const n = this.n;
    const binXY = 2 * c.clusterRadiusXY;
    const binT = 2 * c.clusterRadiusTheta;
    const bins = this.clusterBins;
    bins.clear();
    let best = -1;
    for (let i = 0; i < n; i++) {
      const w = this.pw[i]!;
      let slot = bins.insert(Math.floor(this.px[i]! / binXY), Math.floor(this.py[i]! / binXY), Math.floor((this.pt[i]! + Math.PI) / binT));
      if (slot < 0) {
        slot = -slot - 1;
        if (slot >= this.binW.length) continue;
        this.binW[slot] = 0;
        this.binX[slot] = 0;
        this.binY[slot] = 0;
        this.binC[slot] = 0;
        this.binS[slot] = 0;
      }
      this.binW[slot] += w;
      this.binX[slot] += w * this.px[i]!;
      this.binY[slot] += w * this.py[i]!;
      this.binC[slot] += w * this.pc[i]!;
      this.binS[slot] += w * this.ps[i]!;
      if (best < 0 || this.binW[slot]! > this.binW[best]!) best = slot;
    }
    if (best < 0) return { ...(this.current?.pose ?? { x: 0, y: 0, theta: 0 }) };
    const wb = this.binW[best]! || 1;
    let mx = this.binX[best]! / wb;
    let my = this.binY[best]! / wb;
    let mt = Math.atan2(this.binS[best]!, this.binC[best]!);
    const r2 = c.clusterRadiusXY * c.clusterRadiusXY;
    let weight = 0;
    for (let pass = 0; pass < 3; pass++) {
      let sw = 0;
      let sxx = 0;
      let syy = 0;
      let sc = 0;
      let ss = 0;
      for (let i = 0; i < n; i++) {
        const dx = this.px[i]! - mx;
        const dy = this.py[i]! - my;
        if (dx * dx + dy * dy > r2) continue;
        if (Math.abs(angleDiff(this.pt[i]!, mt)) > c.clusterRadiusTheta) continue;
        const w = this.pw[i]!;
        sw += w;
        sxx += w * this.px[i]!;
        syy += w * this.py[i]!;
        sc += w * this.pc[i]!;
        ss += w * this.ps[i]!;
      }
      if (!(sw > 0)) break;
      mx = sxx / sw;
      my = syy / sw;
      mt = Math.atan2(ss, sc);
      weight = sw;
    }
    // Covariance of the cluster about its mean.
    let sw = 0;
    let cxx = 0, cxy = 0, cxt = 0, cyy = 0, cyt = 0, ctt = 0;
    for (let i = 0; i < n; i++) {
      const dx = this.px[i]! - mx;
      const dy = this.py[i]! - my;
      if (dx * dx + dy * dy > r2) continue;
      const dt = angleDiff(this.pt[i]!, mt);
      if (Math.abs(dt) > c.clusterRadiusTheta) continue;
      const w = this.pw[i]!;
      sw += w;
      cxx += w * dx * dx;
      cxy += w * dx * dy;
      cxt += w * dx * dt;
      cyy += w * dy * dy;
      cyt += w * dy * dt;
      ctt += w * dt * dt;
    }
    if (sw > 0) {
      cxx /= sw;
      cxy /= sw;
      cxt /= sw;
      cyy /= sw;
      cyt /= sw;
      ctt /= sw;
    }
    this.covariance = [cxx, cxy, cxt, cxy, cyy, cyt, cxt, cyt, ctt];
    // Larger eigenvalue of the xy block: the spread along the worst direction.
    const half = (cxx + cyy) / 2;
    const lambda = half + Math.sqrt(Math.max(0, ((cxx - cyy) / 2) ** 2 + cxy * cxy));
    this.spreadXY = Math.sqrt(Math.max(0, lambda));
    this.spreadTheta = Math.sqrt(Math.max(0, ctt));
    this.clusterWeight = weight;
    this.diag.clusterWeight = weight;
    return { x: mx, y: my, theta: normalizeAngle(mt) };
  }

  /**
   * Low-variance (systematic) resampling to `maxParticles` candidates, consumed in random
   * order until the KLD bound for the bins they occupy is met; each slot is instead a
   * uniformly random particle with probability `inject`. Injected particles are not counted in
   * the KLD bins: they are not part of the posterior the bound is about.
   */
  private resample(inject: number, wide: boolean, injectedWeight: number): void {
    const c = this.config;
    const roughXY = wide ? c.roughening.xy : 0;
    const roughTheta = wide ? c.roughening.theta : 0;
    const m = c.maxParticles;
    const n = this.n;
    // Systematic draw of m candidates from the weighted set.
    const step = 1 / m;
    let u = this.rng.next() * step;
    let i = 0;
    let cum = this.pw[0]!;
    for (let j = 0; j < m; j++) {
      while (u > cum && i < n - 1) {
        i++;
        cum += this.pw[i]!;
      }
      this.qx[j] = this.px[i]!;
      this.qy[j] = this.py[i]!;
      this.qt[j] = this.pt[i]!;
      u += step;
    }
    const bins = this.kldBins;
    bins.clear();
    const binXY = c.kldBinXY;
    const binT = c.kldBinTheta;
    let needed = 0;
    let drawn = 0;
    let total = 0;
    let injected = 0;
    while (total < m) {
      if (inject > 0 && this.rng.next() < inject) {
        this.randomParticle(this.ax, this.ay, this.at, total);
        this.pw[total] = injectedWeight;
        injected++;
      } else {
        // Partial Fisher–Yates: a random candidate not taken yet.
        const j = drawn + Math.floor(this.rng.next() * (m - drawn));
        const x = this.qx[j]!;
        const y = this.qy[j]!;
        const t = this.qt[j]!;
        this.qx[j] = this.qx[drawn]!;
        this.qy[j] = this.qy[drawn]!;
        this.qt[j] = this.qt[drawn]!;
        this.qx[drawn] = x;
        this.qy[drawn] = y;
        this.qt[drawn] = t;
        drawn++;
        this.pw[total] = 1;
        if (roughXY > 0 || roughTheta > 0) {
          this.ax[total] = x + roughXY * this.normal.next();
          this.ay[total] = y + roughXY * this.normal.next();
          this.at[total] = normalizeAngle(t + roughTheta * this.normal.next());
        } else {
          this.ax[total] = x;
          this.ay[total] = y;
          this.at[total] = t;
        }
        if (bins.insert(Math.floor(this.ax[total]! / binXY), Math.floor(this.ay[total]! / binXY), Math.floor((this.at[total]! + Math.PI) / binT)) < 0) {
          needed = kldBound(bins.size, c.kldEpsilon, this.kldZ);
        }
      }
      total++;
      if (drawn >= needed && total >= c.minParticles && drawn > 0) break;
    }
    // Swap buffers.
    const tx = this.px;
    const ty = this.py;
    const tt = this.pt;
    this.px = this.ax;
    this.py = this.ay;
    this.pt = this.at;
    this.ax = tx;
    this.ay = ty;
    this.at = tt;
    this.n = total;
    let sum = 0;
    for (let i = 0; i < total; i++) sum += this.pw[i]!;
    for (let i = 0; i < total; i++) this.pw[i] = this.pw[i]! / sum;
    this.diag.injected = injected / total;
  }

  /** A uniformly random pose over the standable free space into slot i of (x, y, t). */
  private randomParticle(x: Float64Array, y: Float64Array, t: Float64Array, i: number): void {
    const map = this.map;
    const cells = map.standableCells;
    const cell = cells[Math.floor(this.rng.next() * cells.length)]!;
    const col = cell % map.width;
    const row = (cell - col) / map.width;
    x[i] = map.originX + (col + this.rng.next()) * map.resolution;
    y[i] = map.originY + (row + this.rng.next()) * map.resolution;
    t[i] = normalizeAngle((2 * this.rng.next() - 1) * Math.PI);
  }

  // --- the scan --------------------------------------------------------------------------

  /** Valid beam endpoints in base_link, and their even subsamples for weighting and matching. */
  private prepareScan(input: ScanInput): void {
    const scan = input.scan;
    const ranges = scan.ranges;
    const count = ranges.length;
    if (this.ex.length < count) {
      this.ex = new Float64Array(count);
      this.ey = new Float64Array(count);
    }
    this.mountX = input.mount.x;
    this.mountY = input.mount.y;
    const mc = Math.cos(input.mount.theta);
    const ms = Math.sin(input.mount.theta);
    const lo = scan.rangeMin;
    const hi = scan.rangeMax;
    let k = 0;
    for (let i = 0; i < count; i++) {
      const r = ranges[i]!;
      // Out of range, NaN and ±Infinity carry no return; max-range readings say nothing here.
      if (!(r >= lo && r < hi)) continue;
      const a = scan.angleMin + i * scan.angleIncrement;
      const lx = r * Math.cos(a);
      const ly = r * Math.sin(a);
      this.ex[k] = input.mount.x + mc * lx - ms * ly;
      this.ey[k] = input.mount.y + ms * lx + mc * ly;
      k++;
    }
    this.nValid = k;
    const sub = this.subsample(this.config.beams, this.sx, this.sy);
    this.sx = sub.x;
    this.sy = sub.y;
    this.nSub = sub.n;
    const ref = this.subsample(this.config.refineBeams, this.rx, this.ry);
    this.rx = ref.x;
    this.ry = ref.y;
    this.nRefine = ref.n;
  }

  private subsample(limit: number, x: Float64Array, y: Float64Array): { x: Float64Array; y: Float64Array; n: number } {
    const want = Math.max(0, Math.min(this.nValid, Math.floor(limit)));
    if (x.length < want) {
      x = new Float64Array(want);
      y = new Float64Array(want);
    }
    const stride = this.nValid / Math.max(1, want);
    for (let k = 0; k < want; k++) {
      const i = Math.min(this.nValid - 1, Math.floor((k + 0.5) * stride));
      x[k] = this.ex[i]!;
      y[k] = this.ey[i]!;
    }
    return { x, y, n: want };
  }

  /**
   * Fraction of valid beams whose endpoint, from `pose`, lies within agreementDistance of a
   * mapped surface. Also sets `seeThrough`: the fraction of beams that, from `pose`, would have
   * passed through a mapped obstacle more than `seeThroughMargin` before their endpoint.
   * People and clutter only ever shorten beams; a beam through a wall says the pose is wrong
   * (or the map is: a door that was closed when it was drawn).
   */
  private agreementAt(pose: Pose2D): number {
    this.seeThrough = 0;
    if (this.nValid === 0) return 0;
    const map = this.map;
    const c = Math.cos(pose.theta);
    const s = Math.sin(pose.theta);
    const limit = this.agreementDistance;
    const ox = pose.x + c * this.mountX - s * this.mountY;
    const oy = pose.y + s * this.mountX + c * this.mountY;
    const step = map.resolution;
    const margin = this.config.seeThroughMargin;
    const inv = map.invResolution;
    const width = map.width;
    const height = map.height;
    const obstacle = map.obstacle;
    // Every other beam is enough for the see-through fraction (it is a rate, not a match).
    const throughStride = this.nValid > 120 ? 2 : 1;
    let good = 0;
    let through = 0;
    let traced = 0;
    for (let k = 0; k < this.nValid; k++) {
      const exk = pose.x + c * this.ex[k]! - s * this.ey[k]!;
      const eyk = pose.y + s * this.ex[k]! + c * this.ey[k]!;
      const d = map.distanceAt(exk, eyk);
      // NaN (unknown, off the map) fails the test: the map cannot vouch for that beam.
      if (Math.abs(d) <= limit) good++;
      if (k % throughStride !== 0) continue;
      traced++;
      const dx = exk - ox;
      const dy = eyk - oy;
      const len = Math.sqrt(dx * dx + dy * dy);
      const reach = len - margin;
      if (reach <= 0) continue;
      // March in cell units from the lidar towards the endpoint, one cell per step.
      const gx = (ox - map.originX) * inv;
      const gy = (oy - map.originY) * inv;
      const sx = (dx / len) * step * inv;
      const sy = (dy / len) * step * inv;
      const steps = Math.floor(reach / step);
      for (let j = 1; j <= steps; j++) {
        const col = Math.floor(gx + sx * j);
        const row = Math.floor(gy + sy * j);
        if (col < 0 || row < 0 || col >= width || row >= height) continue;
        if (obstacle[row * width + col]) {
          through++;
          break;
        }
      }
    }
    this.seeThrough = traced > 0 ? through / traced : 0;
    return good / this.nValid;
  }

  // --- quality ---------------------------------------------------------------------------

  private assess(time: number, pose: Pose2D, agreement: number): LocalizationEstimate {
    const c = this.config;
    const converged = this.clusterWeight >= c.localizedClusterWeight && this.spreadXY <= c.localizedSpreadXY && this.spreadTheta <= c.localizedSpreadTheta;
    const seeThrough = this.seeThrough;
    const throughWalls = seeThrough > c.maxSeeThrough;
    // Bad-scan timer, on scan time: too little of the scan on the map, or too much of it through
    // walls. A scan with hardly any returns (open space, a blinded lidar) is no evidence either way.
    const evidence = this.nValid >= MIN_BEAMS;
    if (!evidence) {
      // Leave the timers alone.
    } else if (agreement < c.lostAgreement || throughWalls) {
      if (Number.isNaN(this.lowSince)) {
        this.lowSince = time;
        this.lowScans = 0;
      }
      this.lowScans++;
      // Latch only once the filter has had a pose (converged now or localized before): while
      // global localization is still converging a poor fit is 'uncertain', not 'lost'.
      if (this.lost === null && (converged || this.everLocalized) && time - this.lowSince >= c.lostAfter && this.lowScans >= c.lostMinScans) {
        this.lost = 'agreement';
        this.goodSince = Number.NaN;
      }
    } else {
      this.lowSince = Number.NaN;
      this.lowScans = 0;
    }
    if (this.lost !== null) {
      // Recovery is judged on the fit and on one dominant place, not on the spread: the cloud
      // is still contracting when the right place has been found.
      if (evidence && agreement >= c.recoverAgreement && !throughWalls && this.clusterWeight >= c.localizedClusterWeight) {
        if (Number.isNaN(this.goodSince)) this.goodSince = time;
        if (time - this.goodSince >= c.recoverAfter) {
          this.lost = null;
          this.goodSince = Number.NaN;
        }
      } else {
        this.goodSince = Number.NaN;
      }
    }

    const pct = Math.round(agreement * 100);
    const throughPct = Math.round(seeThrough * 100);
    let quality: LocalizationQuality;
    let reason: string;
    if (this.lost !== null) {
      quality = 'lost';
      if (!Number.isNaN(this.goodSince)) reason = `recovering: ${pct} % of the scan matches the map again; confirming before trusting it`;
      else if (this.lost === 'jump') reason = `the estimate jumped ${this.jumped.toFixed(1)} m away from odometry: the robot was moved or the match slipped`;
      else if (!evidence) reason = `only ${this.nValid} beams returned: nothing to match; odometry only`;
      else if (throughWalls) reason = `${throughPct} % of the beams pass through walls of the map (${pct} % match it): the robot is not where the map says`;
      else if (!Number.isNaN(this.lowSince)) reason = `only ${pct} % of the scan has matched the map for ${(time - this.lowSince).toFixed(1)} s`;
      else reason = `only ${pct} % of the scan matches the map; searching for the pose`;
    } else if (!evidence) {
      quality = 'uncertain';
      reason = `only ${this.nValid} beams returned: nothing to check the pose against`;
    } else if (this.clusterWeight < c.localizedClusterWeight) {
      quality = 'uncertain';
      reason = `still converging: the likeliest place holds ${Math.round(this.clusterWeight * 100)} % of the particles`;
    } else if (this.spreadXY > c.localizedSpreadXY || this.spreadTheta > c.localizedSpreadTheta) {
      quality = 'uncertain';
      reason = `the particles spread ±${Math.round(this.spreadXY * 100)} cm, ±${(this.spreadTheta / DEG).toFixed(0)}°`;
    } else if (throughWalls) {
      quality = 'uncertain';
      reason = `${throughPct} % of the beams pass through walls of the map`;
    } else if (agreement < c.localizedAgreement) {
      quality = 'uncertain';
      reason = `only ${pct} % of the scan matches the map`;
    } else {
      quality = 'localized';
      reason = `${pct} % of the scan matches the map; spread ±${Math.round(this.spreadXY * 100)} cm, ±${(this.spreadTheta / DEG).toFixed(1)}°`;
    }
    if (quality === 'localized') this.everLocalized = true;
    return {
      pose,
      covariance: this.covariance,
      mapFromOdom: { ...this.mapFromOdom },
      quality,
      agreement,
      particles: this.n,
      reason,
    };
  }
}

/** The factory the estimator uses: `localizer(map, seed)`. */
export function createMonteCarloLocalizer(map: OccupancyGrid, seed: number, options: MonteCarloOptions = {}): MonteCarloLocalizer {
  return new MonteCarloLocalizer(map, options, seed);
}
