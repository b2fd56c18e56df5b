/** The run recorder, its read API, MCAP export and the default database path. */
export { Recorder } from './recorder';
export type {
  RecorderOptions, StartRunInput, PlannerCycleInput, CandidateInput, SafetyActionInput, OperatorActionInput,
  LinkEventInput, RecorderTimings,
} from './recorder';
export { RunStore, RECORD_KINDS, type RecordQuery } from './run-store';
export {
  exportRunToMcap, gridMessage, mcapDecompressHandlers, MCAP_TOPICS, type ExportMap, type McapCompression, type McapExportResult,
  type McapExportOptions, type McapTopic,
} from './mcap-export';
export { resolveRunMaps, runMapEvents, type MapSource, type RunMapEvent } from './run-maps';
export { defaultRunsDbPath, resolveRunsDbPath, RUNS_DB_FILE } from './paths';
export { openRunDatabase, FORESIGHT_APPLICATION_ID, MIGRATIONS, type Migration, type OpenRunDatabaseOptions } from './schema';
export { RunDatabaseError, NoSuchRunError, RunInProgressError, type RunDatabaseErrorCode } from './errors';
export type { WriterFaults } from './writer-protocol';
