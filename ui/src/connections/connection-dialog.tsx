import { useMemo, useState, type FormEvent } from 'react';
import { ApiError, describeError } from '../api/api-client.ts';
import type { ConnectionView, ConnectionsResponse } from '../api/api-types.ts';
import { useApp } from '../app/app-context.tsx';
import { Dialog } from '../components/dialog.tsx';
import { Spinner } from '../components/progress.tsx';
import type { JsonSchema } from '../forms/json-schema.ts';
import { SchemaForm, type FieldErrors } from '../forms/schema-form.tsx';

/** A kind's schema without its `kind` constant: the kind is chosen above the form. */
function formSchema(schema: object): JsonSchema {
  const s = schema as JsonSchema;
  const { kind: _k, ...properties } = s.properties ?? {};
  return { ...s, properties, required: (s.required ?? []).filter((r) => r !== 'kind') };
}

/** Server problems (`connection.password`) as messages by form field (`password`). */
function fieldErrorsOf(err: unknown): FieldErrors {
  const out = new Map<string, string[]>();
  if (!(err instanceof ApiError)) return out;
  for (const d of err.details) {
    const p = d as { path?: unknown; message?: unknown };
    if (typeof p.path !== 'string' || typeof p.message !== 'string') continue;
    const field = p.path.replace(/^connection\.?/, '');
    out.set(field, [...(out.get(field) ?? []), p.message]);
  }
  return out;
}

/**
 * Creates or edits a connection. Secrets are password fields; when editing they hold the
 * server's mask, which keeps the stored secret unless the user types a new one.
 */
export function ConnectionDialog({ kinds, allowedKinds, existing, onClose, onSaved }: {
  kinds: ConnectionsResponse['kinds'];
  allowedKinds?: readonly string[];
  existing?: ConnectionView;
  onClose: () => void;
  onSaved: (c: ConnectionView) => void;
}) {
  const { api } = useApp();
  const choices = kinds.filter((k) => !allowedKinds?.length || allowedKinds.includes(k.kind));
  const [kind, setKind] = useState(existing?.kind ?? choices[0]?.kind ?? '');
  const [name, setName] = useState(existing?.name ?? '');
  const [description, setDescription] = useState(existing?.description ?? '');
  const [value, setValue] = useState<Record<string, unknown>>(() => {
    const { kind: _k, ...rest } = existing?.masked ?? {};
    return rest;
  });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const schema = useMemo(() => formSchema(kinds.find((k) => k.kind === kind)?.schema ?? {}), [kinds, kind]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = { name, description: description || undefined, connection: { kind, ...value } };
      const saved = existing ? await api.put<ConnectionView>(`/connections/${encodeURIComponent(existing.id)}`, body) : await api.post<ConnectionView>('/connections', body);
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={existing ? `Edit connection "${existing.name}"` : 'New connection'} onClose={onClose}>
      <form className="stack" onSubmit={(e) => void submit(e)} data-testid="connection-form">
        <label htmlFor="connection-name">Name</label>
        <input id="connection-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus placeholder="Attendance API" />
        <label htmlFor="connection-description">Description</label>
        <input id="connection-description" value={description} onChange={(e) => setDescription(e.target.value)} />
        <label htmlFor="connection-kind">Kind</label>
        <select
          id="connection-kind"
          value={kind}
          disabled={Boolean(existing)}
          onChange={(e) => {
            setKind(e.target.value);
            setValue({});
          }}
        >
          {choices.map((k) => (
            <option key={k.kind} value={k.kind}>
              {(k.schema as JsonSchema).title ?? k.kind}
            </option>
          ))}
        </select>
        {(schema.description ?? '') && <p className="field-help">{schema.description}</p>}
        <SchemaForm schema={schema} value={value} errors={fieldErrorsOf(error)} onChange={(v) => setValue((v ?? {}) as Record<string, unknown>)} />
        {existing && <p className="muted small">Secrets are never shown again. Leave a secret field as it is to keep the stored value, or type a new one.</p>}
        {error !== undefined && (
          <p className="field-errors" role="alert">
            {describeError(error)}
          </p>
        )}
        <div className="dialog-footer inline">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? <Spinner label="Saving…" /> : existing ? 'Save connection' : 'Create connection'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
