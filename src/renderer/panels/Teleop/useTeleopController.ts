/**
 * The teleop controller for this window (keys, joystick, gamepad; Space is the emergency
 * stop), attached to `window` while mounted. Keep `shortcuts` stable (memoized).
 */
import { useEffect, useMemo } from 'react';
import type { ForesightApi } from '../../../shared/api';
import { TeleopController } from '../../teleop/controller';

export function useTeleopController(api: ForesightApi, emergencyStop: () => void, shortcuts: Record<string, () => void>): TeleopController {
  const teleop = useMemo(
    () => new TeleopController({ send: (input) => api.invoke('teleop', input), emergencyStop, shortcuts }),
    [api, emergencyStop, shortcuts],
  );
  useEffect(() => {
    teleop.attach(window);
    return () => teleop.dispose();
  }, [teleop]);
  return teleop;
}
