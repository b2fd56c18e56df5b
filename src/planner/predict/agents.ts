/** Glue from tracker output to predictor input. */
import type { PersonTrack } from '../../shared/people';
import type { PredictionAgent } from './types';

/**
 * A prediction agent from a track. With `history` (the track's recent positions, oldest
 * first, spaced `historyDt` apart, ending at the track's current position) the predictor
 * estimates velocity from it; without, it uses the track's filtered velocity.
 */
export function agentFromTrack(track: PersonTrack, history?: { xs: ArrayLike<number>; ys: ArrayLike<number> }): PredictionAgent {
  return {
    id: track.id,
    xs: history && history.xs.length > 0 ? history.xs : [track.x],
    ys: history && history.ys.length > 0 ? history.ys : [track.y],
    vx: track.vx,
    vy: track.vy,
    positionSigma: track.positionSigma,
  };
}
