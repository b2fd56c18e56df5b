/** Monte Carlo localization on a saved map: the public surface of `src/planner/localization`. */
export { MonteCarloLocalizer, DEFAULT_MONTE_CARLO_CONFIG, createMonteCarloLocalizer } from './monte-carlo';
export type { MonteCarloConfig, MonteCarloOptions, MonteCarloDiagnostics, ParticleView } from './monte-carlo';
export { MapModel, endpointLogLikelihoodTable } from './likelihood-field';
export type { MapModelOptions, EndpointModel, FieldSample } from './likelihood-field';
export { sampleOdometryMotion, NormalSampler } from './motion-model';
export type { OdometryNoise } from './motion-model';
export { kldBound, normalUpperQuantile, BinSet } from './kld';
export { ScanMatcher } from './scan-match';
export type { ScanMatchOptions, ScanMatchResult } from './scan-match';
