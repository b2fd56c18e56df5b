/**
 * The core's clock, seconds: the robot link's host clock (ms, never steps back) in seconds,
 * so frame arrival times, command send times and the core's own `now` are on one timeline.
 */
import { systemClock } from '../link';

export type Clock = () => number;

export const hostSeconds: Clock = () => systemClock.nowMs() / 1000;
