import { LAYER_LABELS, type LayerName, type LayerVisibility } from '../../scene/layers/types';
import { MAP_SCHEMES, isMapColorScheme, type MapColorScheme } from '../../scene/map-image';
import { Panel } from '../../ui/Panel';
import { useMapDisplay } from './useMapDisplay';

const ORDER: LayerName[] = ['map', 'inflation', 'scan', 'robot', 'gaze', 'path', 'candidates', 'chosen', 'goal', 'people', 'windows', 'zones', 'heatmap'];

export function LayersPanel({ layers, setLayers }: { layers: LayerVisibility; setLayers: (l: LayerVisibility) => void }) {
  const [display, setDisplay] = useMapDisplay();
  return (
    <Panel title="Layers" testid="layers-panel" defaultOpen={false}>
      <div className="layers">
        {ORDER.map((name) => (
          <label key={name} className="check">
            <input
              type="checkbox"
              data-testid={`layer-${name}`}
              checked={layers[name]}
              onChange={(e) => setLayers({ ...layers, [name]: e.target.checked })}
            />
            {LAYER_LABELS[name]}
          </label>
        ))}
        <label className="check" title="Colours of the static map: Foresight's, or RViz's map scheme">
          Map colours
          <select
            className="input"
            data-testid="map-scheme"
            value={display.mapScheme}
            onChange={(e) => {
              if (isMapColorScheme(e.target.value)) setDisplay({ mapScheme: e.target.value });
            }}
          >
            {(Object.keys(MAP_SCHEMES) as MapColorScheme[]).map((k) => (
              <option key={k} value={k}>{MAP_SCHEMES[k].label}</option>
            ))}
          </select>
        </label>
        <label className="check" title="A line over the map with what is drawn and the redraw rate and time">
          <input type="checkbox" data-testid="debug-stats" checked={display.debugStats} onChange={(e) => setDisplay({ debugStats: e.target.checked })} />
          Debug stats line
        </label>
      </div>
    </Panel>
  );
}
