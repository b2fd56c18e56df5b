/**
 * Review state: the open run (one ReviewSession at a time; opening another disposes the
 * previous one), its id, and an error when a run cannot be opened. Playback pauses when
 * the console leaves the review view.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ForesightApi } from '../../../shared/api';
import { openReviewSession, type ReviewSession } from '../../review/session';

export interface ReviewModel {
  session: ReviewSession | null;
  openRunId: number | null;
  error: string | null;
  open: (runId: number) => void;
  /** A run was deleted: closes it if it is the open one. */
  onDeleted: (runId: number) => void;
}

export function useReview(api: ForesightApi, reviewing: boolean): ReviewModel {
  const [session, setSession] = useState<ReviewSession | null>(null);
  const [openRunId, setOpenRunId] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  const open = useCallback((runId: number) => {
    setOpenRunId(runId);
    setError(null);
    openReviewSession(api, runId).then(
      (s) => setSession((old) => {
        old?.dispose();
        return s;
      }),
      (e: unknown) => setError(`Run ${runId} could not be opened: ${e instanceof Error ? e.message : String(e)}`),
    );
  }, [api]);
  useEffect(() => () => session?.dispose(), [session]);

  const onDeleted = useCallback((runId: number) => {
    if (runId === openRunId) {
      setSession((old) => {
        old?.dispose();
        return null;
      });
      setOpenRunId(null);
    }
  }, [openRunId]);

  // Pause playback when leaving the review.
  useEffect(() => {
    if (!reviewing) session?.pause();
  }, [reviewing, session]);

  return { session, openRunId, error, open, onDeleted };
}
