import { LAYER_LABELS, type LayerName, type LayerVisibility } from '../../scene/layers/types';
import { Panel } from '../../ui/Panel';

const ORDER: LayerName[] = ['map', 'inflation', 'scan', 'robot', 'gaze', 'path', 'candidates', 'chosen', 'goal', 'people', 'windows', 'zones', 'heatmap'];

export function LayersPanel({ layers, setLayers }: { layers: LayerVisibility; setLayers: (l: LayerVisibility) => void }) {
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
      </div>
    </Panel>
  );
}
