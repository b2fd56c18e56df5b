/**
 * Help: the keyboard and mouse shortcuts and a legend of everything the map draws. Opened by
 * `?` or F1 (not while typing in a field) and by the map toolbar's help button; closed by
 * Esc, its Close button or a click outside it. The legend is built from the colours the
 * layers draw with (scene/legend.ts) in the map colour scheme chosen in the Layers panel.
 */
import { useEffect, useMemo, useRef } from 'react';
import { mapLegend } from '../../scene/legend';
import type { LayerVisibility } from '../../scene/layers/types';
import { isTypingTarget } from '../../teleop/keys';
import { useMapDisplay } from '../Layers/useMapDisplay';
import { closeHelp, isHelpKey, openHelp, useHelpOpen } from './help-state';
import { LegendGlyph } from './LegendGlyph';
import { shortcutGroups } from './shortcuts';
import './help.css';

export function HelpOverlay({ layers }: { layers?: LayerVisibility }) {
  const open = useHelpOpen();
  const [display] = useMapDisplay();
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTypingTarget(e.target)) return;
      if (isHelpKey(e)) {
        e.preventDefault(); // F1 would open the browser's own help
        openHelp();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    if (!open) return;
    // Capture, and no further: Esc closes Help only (it would also end goal mode or drop a zone being drawn).
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      closeHelp();
    };
    window.addEventListener('keydown', onKey, true);
    const before = document.activeElement as HTMLElement | null;
    closeRef.current?.focus();
    return () => {
      window.removeEventListener('keydown', onKey, true);
      // Back where the operator was (the map, a button), so Space and the drive keys work as before.
      if (before && document.contains(before)) before.focus?.();
    };
  }, [open]);

  const legend = useMemo(() => mapLegend(display.mapScheme), [display.mapScheme]);
  const shortcuts = useMemo(() => shortcutGroups(), []);
  if (!open) return null;

  return (
    <div className="help-backdrop" data-testid="help-backdrop" onMouseDown={(e) => e.target === e.currentTarget && closeHelp()}>
      <div className="help-dialog" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="help-overlay">
        <header className="help-head">
          <h2 id="help-title">Shortcuts and map legend</h2>
          <button ref={closeRef} type="button" className="btn small" data-testid="help-close" onClick={closeHelp} title="Close (Esc)">
            Close
          </button>
        </header>
        <div className="help-body">
          <section className="help-shortcuts" data-testid="help-shortcuts" aria-label="Shortcuts">
            {shortcuts.map((g) => (
              <div key={g.title} className="help-group">
                <h3>{g.title}</h3>
                <table>
                  <tbody>
                    {g.shortcuts.map((s) => (
                      <tr key={s.what} data-testid="shortcut">
                        <td className="help-keys">
                          {s.keys.map((k, i) => (
                            <span key={k}>
                              {i > 0 && <span className="muted"> or </span>}
                              <kbd>{k}</kbd>
                            </span>
                          ))}
                        </td>
                        <td>{s.what}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
          </section>
          <section className="help-legend" data-testid="help-legend" aria-label="Map legend">
            {legend.map((g) => (
              <div key={g.title} className="help-group">
                <h3>{g.title}</h3>
                <ul>
                  {g.entries.map((e) => {
                    const off = layers && e.layer ? !layers[e.layer] : false;
                    return (
                      <li key={e.id} data-testid={`legend-${e.id}`} data-layer={e.layer ?? ''} data-colors={e.colors.join(' ')} className={off ? 'layer-off' : undefined}>
                        <LegendGlyph entry={e} />
                        <span>{e.label}</span>
                        {off && <span className="muted small"> (layer off)</span>}
                      </li>
                    );
                  })}
                </ul>
              </div>
            ))}
          </section>
        </div>
      </div>
    </div>
  );
}
