// The TensorFlow Playground's input features of 2-D data as checkboxes: x1, x2, x1², x2², x1·x2, sin(x1), sin(x2).
// Any non-empty subset; the first layer takes as many inputs as are checked (live/design.ts's setFeatures).
import { INPUT_FEATURES, type InputFeature } from '../../../engine/config';

/** How a feature reads on screen (the config's names are the CLI's: x1^2, x1*x2). */
export const FEATURE_LABEL: Record<InputFeature, string> = {
  x1: 'x₁',
  x2: 'x₂',
  'x1^2': 'x₁²',
  'x2^2': 'x₂²',
  'x1*x2': 'x₁x₂',
  'sin(x1)': 'sin(x₁)',
  'sin(x2)': 'sin(x₂)',
};

export function FeatureChecks({ value, onChange }: { value: readonly InputFeature[] | undefined; onChange: (f: InputFeature[]) => void }) {
  const chosen = value ?? ['x1', 'x2'];
  return (
    <div className="feature-checks" role="group" aria-label="input features" data-testid="features">
      <span className="row-label">Inputs</span>
      <div className="feature-list">
        {INPUT_FEATURES.map((f) => {
          const on = chosen.includes(f);
          return (
            <label key={f} className={`feature-chip${on ? ' on' : ''}`} title={on && chosen.length === 1 ? 'at least one input' : `feature ${f}`}>
              <input
                type="checkbox"
                checked={on}
                disabled={on && chosen.length === 1}
                data-testid={`feature-${f}`}
                onChange={(e) => onChange(e.target.checked ? [...chosen, f] : chosen.filter((x) => x !== f))}
              />
              {FEATURE_LABEL[f]}
            </label>
          );
        })}
      </div>
    </div>
  );
}
