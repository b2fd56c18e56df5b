/** The one autonomy loop (planning cycle, fast-forward, hand-off, guards, gaze), pure and clock-injected. */
export * from './loop';
