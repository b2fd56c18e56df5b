/**
 * Incidents of recorded runs: detection (detect.ts), attribution to the earliest failing
 * pipeline stage (attribute.ts), explanation text (text.ts), reading runs for them
 * (run-data.ts), the intervention heatmap (heatmap.ts) and the basic fallback finder
 * (basic.ts). Everything speaks the types of src/shared/incidents.ts, which the review API
 * returns and the renderer shows as they are.
 */
export { detectIncidents, detectIncidentsIn, explainRun, type ExplainRunOptions } from './explain-run';
export { DEFAULT_INCIDENT_OPTIONS, INCIDENT_KINDS, PIPELINE_STAGES, type IncidentOptions } from './options';
export { runDataFromRecords, runDataFromStore, summarizeScan, type RunData, type ScanSummary } from './run-data';
export { footprintClearance } from './geometry';
export { formatIncident, STAGE_LABELS } from './text';
export {
  binHeatmap, DEFAULT_HEATMAP_CELL, heatmapFromIncidents, heatmapView, interventionHeatmap,
  type HeatmapBounds, type HeatmapOptions,
} from './heatmap';
export { basicIncidents } from './basic';
