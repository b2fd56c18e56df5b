/** Live or review; `?view=review` in the page URL opens the review. */
import { useState } from 'react';

export type ViewMode = 'live' | 'review';

export function viewModeFromUrl(search: string): ViewMode {
  return new URLSearchParams(search).get('view') === 'review' ? 'review' : 'live';
}

export function useViewMode(): [ViewMode, (m: ViewMode) => void] {
  return useState<ViewMode>(() => viewModeFromUrl(window.location.search));
}
