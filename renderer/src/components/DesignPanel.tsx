// The left panel: the network (layers table or the seed's JSON list), the data (with a scatter preview and CSV
// import), the training hyperparameters, the backend, and weights to start from.
import { useEffect, useMemo, useRef, useState } from 'react';
import { ACTIVATIONS, adaptArchitecture, layerParameterCount, parameterCount, validateArchitecture } from '../../../engine/architecture';
import { OPTIMIZERS, autoRunName, type DatasetKind, type OptimizerName, type BackendChoice } from '../../../engine/config';
import { WEIGHTS_IMPORT_ACCEPT } from '../../../engine/export/format-table';
import { unwrap, type AppInfo, type BackpropLabApi, type DataPreview, type LayerSpec } from '../api';
import { previewPlane } from '../lib/data-views';
import { fmtInt } from '../lib/format';
import { readBase64, readText } from '../lib/download';
import { addLayer, architectureJson, DATASET_GROUPS, fitInputs, inputCount, isGenerated, removeLayer, setFeatures, setKind, setNeurons, takesFeatures, type Design } from '../live/design';
import { Boundary } from './Boundary';
import { FeatureChecks } from './FeatureChecks';
import '../styles/data.css';
import { FieldValidity, NumberField, Row, Segmented } from './fields';
import { StoredRunBar, TrainingControls, type StoredRunActions } from './StoredRun';

type Update = (f: (d: Design) => Design) => void;

export function DesignPanel({
  design,
  update,
  info,
  api,
  preview,
  previewCurrent,
  previewError,
  locked,
  theme,
  onError,
  onValidity,
  problems,
  activeRun,
  stored,
}: {
  design: Design;
  update: Update;
  info: AppInfo | null;
  api: BackpropLabApi;
  preview: DataPreview | null;
  /** Whether `preview` is of the design's data as it is now (false while a newly chosen dataset's loads). */
  previewCurrent: boolean;
  previewError: string | null;
  locked: boolean;
  theme: string;
  onError: (m: string) => void;
  /** Where the number fields report whether they are valid (Train is blocked while one is not). */
  onValidity: (field: string, problem: string | null) => void;
  /** The invalid fields' messages, shown at the top of the panel. */
  problems: string[];
  /** The name of the run training now, if one is: edits apply to the next run, and the panel says so. */
  activeRun: string | null;
  /** The stored run the panel shows, with its actions (clone, re-run, continue); null for a new design. */
  stored: StoredRunActions | null;
}) {
  const c = design.config;
  const setArch = (architecture: LayerSpec[]) => update((d) => ({ ...d, config: { ...d.config, architecture } }));
  const setTraining = <K extends keyof typeof c.training>(k: K, v: (typeof c.training)[K]) =>
    update((d) => ({ ...d, config: { ...d.config, training: { ...d.config.training, [k]: v } } }));
  const setData = <K extends keyof typeof c.data>(k: K, v: (typeof c.data)[K]) => update((d) => ({ ...d, config: { ...d.config, data: { ...d.config.data, [k]: v } } }));
  const [archView, setArchView] = useState<'layers' | 'json'>('layers');
  const columns = preview?.features ?? (c.data.kind === 'csv' ? design.csv?.info.featureNames.length : 2) ?? 2;
  // the first layer takes the chosen input features when there are any, else the data's columns
  const features = inputCount(c.data, columns);
  const inputMismatch = c.architecture[0]!.input_dim !== features;
  // The network fitted to the data (input width, and output: 1 sigmoid, K softmax or 1 linear unit), once the preview
  // of a newly chosen dataset arrives; null when it already fits or the preview is of other data.
  const fitted = preview && previewCurrent ? adaptArchitecture(c.architecture, features, preview.classes) : null;
  // data with more than two features is previewed in its first two principal components, as the boundary shows it
  const previewPca = useMemo(() => (preview ? previewPlane(preview, { kind: 'pca' }) : null), [preview]);
  // A newly chosen dataset fits the network once its own preview is in (the one showing at the choice is the old data's).
  // The ref names the dataset waited for: a render that still shows the old data (its preview current) must not
  // take the old data's fit, which is none, for the new one's.
  const fitOnPreview = useRef<DatasetKind | null>(null);
  useEffect(() => {
    if (fitOnPreview.current !== c.data.kind || !preview || !previewCurrent) return;
    fitOnPreview.current = null;
    if (fitted) setArch(fitted);
  });

  return (
    <aside className="design" data-testid="design-panel" aria-label="Design">
      <FieldValidity value={onValidity}>
      {activeRun !== null && (
        <p className="banner info design-note" role="status" data-testid="next-run-note">
          “{activeRun}” is training with the settings it started with. Changes here apply to the next run.
        </p>
      )}
      {stored && <StoredRunBar stored={stored} design={design} />}
      {problems.length > 0 && (
        <div className="banner error design-note" role="alert" data-testid="design-errors">
          <strong>Fix before training:</strong>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      <fieldset disabled={locked} className="design-fields">
        <section className="panel-section">
          <header className="section-head">
            <h2>Network</h2>
            <Segmented
              value={archView}
              onChange={setArchView}
              testId="arch-view"
              options={[
                { value: 'layers', label: 'Layers' },
                { value: 'json', label: 'JSON' },
              ]}
            />
          </header>
          {archView === 'layers' ? (
            <LayersTable arch={c.architecture} onChange={setArch} />
          ) : (
            <ArchitectureJson arch={c.architecture} onChange={setArch} />
          )}
          {inputMismatch ? (
            <p className="inline-warn" data-testid="input-mismatch">
              The data has {features} input{features === 1 ? '' : 's'} but layer 1 takes {c.architecture[0]!.input_dim}.{' '}
              <button type="button" className="link" onClick={() => setArch(fitInputs(c.architecture, features))}>
                Set input_dim to {features}
              </button>
            </p>
          ) : (
            fitted && (
              <p className="inline-warn" data-testid="output-mismatch">
                {preview!.classes === 0 ? 'Regression data wants 1 linear output unit.' : preview!.classes > 2 ? `${preview!.classes} classes want ${preview!.classes} softmax output units.` : '2 classes want 1 sigmoid output unit.'}{' '}
                <button type="button" className="link" data-testid="fit-output" onClick={() => setArch(fitted)}>
                  Fit the output layer
                </button>
              </p>
            )
          )}
          <WeightsImport design={design} update={update} api={api} onError={onError} />
        </section>

        <section className="panel-section">
          <header className="section-head">
            <h2>Data</h2>
            <span className="muted small tnum" data-testid="data-counts">
              {preview ? `${fmtInt(preview.totalTrain)} train · ${fmtInt(preview.totalTest)} test` : ''}
            </span>
          </header>
          <div className="data-grid">
            <div className="data-fields">
              <Row label="Dataset">
                <select
                  value={c.data.kind}
                  data-testid="dataset"
                  onChange={(e) => {
                    fitOnPreview.current = e.target.value as DatasetKind;
                    update((d) => ({ ...d, config: setKind(d.config, e.target.value as DatasetKind) }));
                  }}
                >
                  {DATASET_GROUPS.map((g) => (
                    <optgroup key={g.label} label={g.label}>
                      {g.kinds.map((k) => (
                        <option key={k} value={k} disabled={k === 'csv' && !design.csv}>
                          {k === 'csv' ? (design.csv ? `csv: ${design.csv.filename}` : 'csv (import a file)') : k}
                        </option>
                      ))}
                    </optgroup>
                  ))}
                </select>
              </Row>
              {isGenerated(c.data.kind) && (
                <>
                  <Row label="Samples">
                    <NumberField value={c.data.samples} integer min={2} max={1_000_000} onChange={(v) => v !== null && setData('samples', v)} testId="samples" field="Samples" />
                  </Row>
                  <Row label="Noise">
                    <NumberField value={c.data.noise} min={0} onChange={(v) => v !== null && setData('noise', v)} testId="noise" field="Noise" />
                  </Row>
                  {c.data.kind === 'circles' && (
                    <Row label="Factor">
                      <NumberField value={c.data.factor} min={0} max={1} maxExclusive range="a number from 0 up to (not including) 1" onChange={(v) => v !== null && setData('factor', v)} field="Factor" />
                    </Row>
                  )}
                  <Row label="Data seed">
                    <NumberField value={c.data.seed} integer min={0} max={0xffffffff} onChange={(v) => v !== null && setData('seed', v)} field="Data seed" testId="data-seed" />
                  </Row>
                </>
              )}
              <Row label="Test size">
                <NumberField value={c.data.testSize} min={0} max={1} maxExclusive range="a fraction from 0 up to (not including) 1" field="Test size" onChange={(v) => v !== null && setData('testSize', v)} testId="test-size" />
              </Row>
              <label className="check-row" title="StandardScaler fitted on the train split, applied to train and test">
                <input type="checkbox" checked={c.data.standardize ?? false} data-testid="standardize" onChange={(e) => setData('standardize', e.target.checked || undefined)} />
                Standardize
              </label>
            </div>
            <div className="preview-box">
              <Boundary grid={null} data={preview} theme={theme} testId="data-preview" plane={previewPca} />
            </div>
          </div>
          {takesFeatures(c.data.kind, columns) && (
            <FeatureChecks
              value={c.data.features}
              onChange={(f) => update((d) => ({ ...d, config: setFeatures(d.config, f) }))}
            />
          )}
          {previewError && (
            <p className="inline-error" role="alert" data-testid="data-error">
              {previewError}
            </p>
          )}
          <CsvImport design={design} update={update} api={api} onError={onError} />
        </section>

        <section className="panel-section">
          <header className="section-head">
            <h2>Training</h2>
          </header>
          <div className="two-col">
            <Row label="Epochs">
              <NumberField value={c.training.epochs} integer min={0} max={100_000_000} onChange={(v) => v !== null && setTraining('epochs', v)} testId="epochs" field="Epochs" />
            </Row>
            <Row label="Learning rate">
              <NumberField value={c.training.learningRate} min={0} minExclusive field="Learning rate" onChange={(v) => v !== null && setTraining('learningRate', v)} testId="learning-rate" />
            </Row>
            <Row label="Batch size" hint="empty: full batch, as the notebook">
              <NumberField value={c.training.batchSize} integer min={1} emptyValue={null} placeholder="full" onChange={(v) => setTraining('batchSize', v)} testId="batch-size" field="Batch size" range="an integer ≥ 1" />
            </Row>
            <Row label="Optimizer">
              <select value={c.training.optimizer} data-testid="optimizer" onChange={(e) => setTraining('optimizer', e.target.value as OptimizerName)}>
                {OPTIMIZERS.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            </Row>
            {c.training.optimizer === 'momentum' && (
              <Row label="Momentum μ">
                <NumberField value={c.training.momentum} min={0} max={1} maxExclusive range="a number from 0 up to (not including) 1" field="Momentum μ" testId="momentum" onChange={(v) => v !== null && setTraining('momentum', v)} />
              </Row>
            )}
            {c.training.optimizer === 'adam' && (
              <>
                <Row label="β₁">
                  <NumberField value={c.training.beta1} min={0} max={1} maxExclusive range="a number from 0 up to (not including) 1" field="β₁" testId="beta1" onChange={(v) => v !== null && setTraining('beta1', v)} />
                </Row>
                <Row label="β₂">
                  <NumberField value={c.training.beta2} min={0} max={1} maxExclusive range="a number from 0 up to (not including) 1" field="β₂" testId="beta2" onChange={(v) => v !== null && setTraining('beta2', v)} />
                </Row>
                <Row label="ε">
                  <NumberField value={c.training.epsilon} min={0} minExclusive field="ε" testId="epsilon" onChange={(v) => v !== null && setTraining('epsilon', v)} />
                </Row>
              </>
            )}
            <Row label="L2 λ">
              <NumberField value={c.training.l2} min={0} onChange={(v) => v !== null && setTraining('l2', v)} testId="l2" field="L2 λ" />
            </Row>
            <Row label="Init seed">
              <NumberField
                value={c.init.seed}
                integer
                min={0}
                max={0xffffffff}
                onChange={(v) => v !== null && update((d) => ({ ...d, config: { ...d.config, init: { ...d.config.init, seed: v } } }))}
                testId="init-seed"
                field="Init seed"
              />
            </Row>
            <Row label="Backend">
              <select value={c.backend} data-testid="backend-choice" onChange={(e) => update((d) => ({ ...d, config: { ...d.config, backend: e.target.value as BackendChoice } }))}>
                <option value="auto">auto</option>
                {(info?.backends ?? [{ name: 'cpu' as const, available: true, detail: '' }]).map((b) => (
                  <option key={b.name} value={b.name} disabled={!b.available} title={b.detail}>
                    {b.name}
                    {b.available ? '' : ' (unavailable)'}
                  </option>
                ))}
              </select>
            </Row>
          </div>
          <TrainingControls training={c.training} setTraining={setTraining} />
          {c.backend !== 'cpu' && info?.backends.find((b) => b.name === 'gpu' && !b.available) && (
            <p className="muted small" data-testid="gpu-detail">
              gpu: {info.backends.find((b) => b.name === 'gpu')!.detail}
            </p>
          )}
        </section>

        <section className="panel-section">
          <header className="section-head">
            <h2>Run</h2>
          </header>
          <Row label="Name">
            <input type="text" value={design.name} placeholder={autoRunName(c)} title="Left empty, the run is named like this (with #2, #3 … when the name is taken)" data-testid="run-name" onChange={(e) => update((d) => ({ ...d, name: e.target.value }))} />
          </Row>
        </section>
      </fieldset>
      </FieldValidity>
    </aside>
  );
}

function LayersTable({ arch, onChange }: { arch: LayerSpec[]; onChange: (a: LayerSpec[]) => void }) {
  return (
    <table className="layers" data-testid="architecture">
      <thead>
        <tr>
          <th>Layer</th>
          <th className="num">In</th>
          <th className="num">Neurons</th>
          <th>Activation</th>
          <th className="num">Params</th>
          <th aria-label="remove" />
        </tr>
      </thead>
      <tbody>
        {arch.map((l, i) => {
          const output = i === arch.length - 1;
          return (
            <tr key={i} data-testid="layer-row">
              <td className="muted">
                {output ? 'out' : i + 1}
                <span className="sr-only">
                  {' '}
                  W{i + 1}, b{i + 1}
                </span>
              </td>
              <td className="num muted tnum">{l.input_dim}</td>
              <td className="num">
                <NumberField value={l.output_dim} integer min={1} max={4096} label={`layer ${i + 1} neurons`} field={`Layer ${i + 1} neurons`} testId={`neurons-${i + 1}`} onChange={(v) => v !== null && onChange(setNeurons(arch, i, v))} />
              </td>
              <td>
                <select
                  value={l.activation}
                  aria-label={`layer ${i + 1} activation`}
                  data-testid={`activation-${i + 1}`}
                  onChange={(e) => onChange(arch.map((x, k) => (k === i ? { ...x, activation: e.target.value as LayerSpec['activation'] } : { ...x })))}
                >
                  {ACTIVATIONS.map((a) => (
                    <option key={a} value={a} disabled={a === 'softmax' && !output}>
                      {a}
                    </option>
                  ))}
                </select>
              </td>
              <td className="num tnum" data-testid="layer-params">
                {fmtInt(layerParameterCount(l))}
              </td>
              <td>
                {!output && arch.length > 1 && (
                  <button type="button" className="icon-btn" title={`remove layer ${i + 1}`} aria-label={`remove layer ${i + 1}`} onClick={() => onChange(removeLayer(arch, i))}>
                    ×
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
      <tfoot>
        <tr>
          <td colSpan={3}>
            <button type="button" className="link" data-testid="add-layer" onClick={() => onChange(addLayer(arch))}>
              + Add layer
            </button>
          </td>
          <td className="num muted">
            Total
          </td>
          <td className="num tnum strong" data-testid="total-params">
            {fmtInt(parameterCount(arch))}
          </td>
          <td />
        </tr>
      </tfoot>
    </table>
  );
}

function ArchitectureJson({ arch, onChange }: { arch: LayerSpec[]; onChange: (a: LayerSpec[]) => void }) {
  const [text, setText] = useState(() => architectureJson(arch));
  const [error, setError] = useState<string | null>(null);
  const own = useRef(JSON.stringify(arch));
  useEffect(() => {
    // an edit from elsewhere (the layers table, an import) replaces the text
    const s = JSON.stringify(arch);
    if (s !== own.current) {
      own.current = s;
      setText(architectureJson(arch));
      setError(null);
    }
  }, [arch]);
  return (
    <div className="arch-json">
      <textarea
        spellCheck={false}
        value={text}
        rows={Math.min(12, arch.length + 3)}
        data-testid="architecture-json"
        aria-label="architecture as JSON (the notebook's NN_ARCHITECTURE list)"
        aria-invalid={error !== null}
        onChange={(e) => {
          setText(e.target.value);
          try {
            const a = validateArchitecture(e.target.value);
            setError(null);
            own.current = JSON.stringify(a);
            onChange(a);
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      />
      {error ? (
        <p className="inline-error" role="alert" data-testid="architecture-error">
          {error}
        </p>
      ) : (
        <p className="muted small">
          {arch.length} layers · {fmtInt(parameterCount(arch))} parameters
        </p>
      )}
    </div>
  );
}

function CsvImport({ design, update, api, onError }: { design: Design; update: Update; api: BackpropLabApi; onError: (m: string) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const load = async (file: File, labelColumn?: string, text?: string) => {
    setBusy(true);
    try {
      const t = text ?? (await readText(file));
      const info = await unwrap(api.data.parseCsv({ text: t, ...(labelColumn ? { labelColumn } : {}) }));
      if (!info.ok) {
        onError(`${file.name}: ${info.errors.join('; ')}`);
        return;
      }
      update((d) => ({
        ...d,
        csv: { filename: file.name, text: t, info },
        config: {
          ...d.config,
          architecture: fitInputs(d.config.architecture, info.featureNames.length),
          data: { ...d.config.data, kind: 'csv', csv: { path: file.name, ...(info.labelColumn ? { labelColumn: info.labelColumn } : {}) } },
        },
      }));
    } catch (e) {
      onError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const csv = design.csv;
  return (
    <div className="csv-import">
      <input
        ref={input}
        type="file"
        accept=".csv,text/csv"
        hidden
        data-testid="csv-file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void load(f);
          e.target.value = '';
        }}
      />
      <button type="button" className="btn small" disabled={busy} onClick={() => input.current?.click()}>
        Import CSV…
      </button>
      {csv && (
        <span className="muted small" data-testid="csv-info">
          {csv.filename}: {fmtInt(csv.info.rows)} rows, {csv.info.featureNames.length} features, {csv.info.classNames.length} classes · label{' '}
          <select
            value={csv.info.labelColumn ?? ''}
            aria-label="label column"
            onChange={(e) => void load(new File([csv.text], csv.filename), e.target.value, csv.text)}
          >
            {csv.info.columns.map((col) => (
              <option key={col}>{col}</option>
            ))}
          </select>
        </span>
      )}
    </div>
  );
}

function WeightsImport({ design, update, api, onError }: { design: Design; update: Update; api: BackpropLabApi; onError: (m: string) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const imported = design.imported;
  return (
    <div className="weights-import">
      <input
        ref={input}
        type="file"
        accept={WEIGHTS_IMPORT_ACCEPT}
        hidden
        data-testid="weights-file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (!f) return;
          void (async () => {
            try {
              const weights = await unwrap(api.runs.importWeights({ filename: f.name, base64: await readBase64(f) }));
              update((d) => ({
                ...d,
                imported: { filename: f.name, weights },
                config: { ...(weights.config ?? d.config), architecture: weights.architecture, data: weights.config?.data ?? d.config.data },
              }));
            } catch (err) {
              onError(`${f.name}: ${(err as Error).message}`);
            }
          })();
        }}
      />
      <button type="button" className="btn small" onClick={() => input.current?.click()} data-testid="import-weights">
        Import weights…
      </button>
      {imported ? (
        <span className="chip" data-testid="imported-weights">
          starts from {imported.filename} ({fmtInt(imported.weights.parameterCount)} params)
          <button type="button" className="icon-btn" aria-label="forget imported weights" onClick={() => update((d) => ({ ...d, imported: null }))}>
            ×
          </button>
        </span>
      ) : (
        <span className="muted small">JSON, .npz or ONNX; else init_layers(seed)</span>
      )}
    </div>
  );
}
