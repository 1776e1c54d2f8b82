import { useId, useState } from 'react';
import { describeError } from '../api/api-client.ts';
import { ConnectionDialog } from './connection-dialog.tsx';
import { useConnections } from './use-connections.ts';

/** Picks the stored connection a connector node uses (of the kinds it accepts), or makes a new one. */
export function ConnectionPicker({ value, allowedKinds, required, onChange, errors, disabled }: { value: string | undefined; allowedKinds: readonly string[]; required: boolean; onChange: (id: string | undefined) => void; errors: readonly string[]; disabled?: boolean }) {
  const id = useId();
  const { data, error, unavailable, reload } = useConnections();
  const [creating, setCreating] = useState(false);
  const usable = data?.items.filter((c) => allowedKinds.includes(c.kind)) ?? [];
  return (
    <div className={`field${errors.length ? ' has-error' : ''}`} data-field="connection">
      <label className="field-label" htmlFor={id}>
        Connection{required && <span className="required"> *</span>}
      </label>
      <p className="field-help">Stored credentials ({allowedKinds.join(', ')}); secrets stay on the server.</p>
      {unavailable ? (
        <p className="muted small">This flowbridge has no connections API.</p>
      ) : (
        <div className="map-row">
          <select id={id} value={value ?? ''} disabled={disabled || !data} onChange={(e) => onChange(e.target.value || undefined)} aria-invalid={errors.length > 0 || undefined}>
            <option value="">{data ? 'No connection' : 'Loading…'}</option>
            {usable.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.kind}){c.health?.status === 'unhealthy' ? ' — unhealthy' : ''}
              </option>
            ))}
            {value && data && !usable.some((c) => c.id === value) && <option value={value}>{value} (not found)</option>}
          </select>
          <button type="button" className="ghost" onClick={() => setCreating(true)} disabled={disabled || !data}>
            New…
          </button>
        </div>
      )}
      {error !== undefined && !unavailable && <p className="field-errors">{describeError(error)}</p>}
      {errors.length > 0 && (
        <ul className="field-errors" role="alert">
          {errors.map((e, i) => (
            <li key={i}>{e}</li>
          ))}
        </ul>
      )}
      {creating && data && (
        <ConnectionDialog
          kinds={data.kinds}
          allowedKinds={allowedKinds}
          onClose={() => setCreating(false)}
          onSaved={(c) => {
            setCreating(false);
            reload();
            onChange(c.id);
          }}
        />
      )}
    </div>
  );
}
