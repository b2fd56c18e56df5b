/** Plain words for the pipeline stages an incident is attributed to. */
export const STAGE_WORDS: Record<string, string> = {
  link: 'Link',
  localization: 'Localization',
  perception: 'Perception',
  prediction: 'Prediction',
  'global-planning': 'Global planning',
  'local-planning': 'Local planning',
  'reactive-control': 'Reactive control',
  operator: 'Operator',
  unknown: 'Unknown',
};
