import { useRef, useState } from 'react';
import { joystickInput } from '../../teleop/joystick';
import { useConsole } from '../../state/context';

const SIZE = 120;
const RADIUS = 44;

/** On-screen joystick: drag the knob; release (or losing the pointer) sends zeros. */
export function Joystick() {
  const { teleop } = useConsole();
  const [knob, setKnob] = useState({ x: 0, y: 0 });
  const [held, setHeld] = useState(false);
  const centre = useRef({ x: 0, y: 0 });
  const pointer = useRef<number | null>(null);

  const move = (clientX: number, clientY: number) => {
    const r = joystickInput(clientX - centre.current.x, clientY - centre.current.y, RADIUS);
    setKnob(r.knob);
    teleop.setJoystick(true, r.input);
  };
  const end = () => {
    pointer.current = null;
    setHeld(false);
    setKnob({ x: 0, y: 0 });
    teleop.setJoystick(false, { linear: 0, angular: 0 });
  };

  return (
    <div
      className={`joystick${held ? ' held' : ''}`}
      data-testid="joystick"
      style={{ width: SIZE, height: SIZE }}
      onPointerDown={(e) => {
        if (pointer.current !== null) return;
        const rect = e.currentTarget.getBoundingClientRect();
        centre.current = { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
        pointer.current = e.pointerId;
        e.currentTarget.setPointerCapture(e.pointerId);
        setHeld(true);
        move(e.clientX, e.clientY);
      }}
      onPointerMove={(e) => {
        if (pointer.current === e.pointerId) move(e.clientX, e.clientY);
      }}
      onPointerUp={(e) => {
        if (pointer.current === e.pointerId) end();
      }}
      onPointerCancel={end}
      onLostPointerCapture={(e) => {
        if (pointer.current === e.pointerId) end();
      }}
      role="application"
      aria-label="Drive joystick: drag to drive, release to stop"
    >
      <div className="joystick-ring" style={{ width: 2 * RADIUS, height: 2 * RADIUS }} />
      <div className="joystick-knob" style={{ transform: `translate(${knob.x}px, ${knob.y}px)` }} />
    </div>
  );
}
