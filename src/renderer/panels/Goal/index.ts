export { GoalPanel } from './GoalPanel';
