export { ReviewDock } from './ReviewDock';
export { useReview, type ReviewModel } from './useReview';
