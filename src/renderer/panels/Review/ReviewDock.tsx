import type { ReviewSession } from '../../review/session';
import { Plots } from './Plots';
import { Timeline } from './Timeline';
import { Transport } from './Transport';

/** Under the map while reviewing: transport controls, the timeline with markers, the plots. */
export function ReviewDock({ session }: { session: ReviewSession }) {
  return (
    <section className="review-dock" data-testid="review-dock" aria-label="Run playback">
      <Transport session={session} />
      <Timeline session={session} />
      {session.series ? <Plots session={session} series={session.series} /> : <div className="muted small">Plots unavailable for this run.</div>}
    </section>
  );
}
