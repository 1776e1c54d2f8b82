// Forms drawn from JSON Schema: one declaration (the connector's config schema) gives the
// fields, labels, help, defaults, choices and secrets. Validation messages are passed in
// (from flows/ validation, the same the server runs) and shown beside their fields.
import { useId, useState, type ReactNode } from 'react';
import { CodeEditor } from '../editors/code-editor.tsx';
import { alternativesOf, initialValue, isSecret, labelFor, pickAlternative, placeholderFor, schemaKind, type JsonSchema } from './json-schema.ts';

/** Messages by dotted field path relative to the form's value ('' is the value itself). */
export type FieldErrors = ReadonlyMap<string, readonly string[]>;

export interface SchemaFormProps {
  schema: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  errors?: FieldErrors;
  /** Draws a field differently (a pattern editor instead of raw JSON); return undefined for the default. */
  renderField?: (path: string, schema: JsonSchema, value: unknown, onChange: (v: unknown) => void) => ReactNode | undefined;
}

const NO_ERRORS: FieldErrors = new Map();

export function SchemaForm({ schema, value, onChange, errors = NO_ERRORS, renderField }: SchemaFormProps) {
  const idPrefix = useId();
  return (
    <div className="schema-form">
      <SchemaField name="" path="" schema={schema} value={value} onChange={onChange} required errors={errors} idPrefix={idPrefix} renderField={renderField} root />
    </div>
  );
}

interface FieldProps {
  name: string;
  path: string;
  schema: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  required: boolean;
  errors: FieldErrors;
  idPrefix: string;
  renderField: SchemaFormProps['renderField'];
  root?: boolean;
  /** Label override (map values are labelled by their key). */
  label?: string;
}

function join(path: string, key: string | number): string {
  return path ? `${path}.${key}` : String(key);
}

function fieldId(prefix: string, path: string): string {
  return `${prefix}-${path.replace(/[^A-Za-z0-9_-]/g, '_') || 'root'}`;
}

function Help({ text, id }: { text: string | undefined; id?: string }) {
  return text ? (
    <p className="field-help" id={id}>
      {text}
    </p>
  ) : null;
}

function RequiredMark({ required }: { required: boolean }) {
  return required ? (
    <span className="required" aria-label="required">
      {' '}
      *
    </span>
  ) : null;
}

/** A group's legend; optional groups can be removed from it. */
function Legend({ label, required, onRemove }: { label: string; required: boolean; onRemove?: () => void }) {
  return (
    <legend>
      {label}
      <RequiredMark required={required} />
      {!required && onRemove && (
        <button type="button" className="icon-button" aria-label={`Remove ${label.toLowerCase()}`} title="Remove" onClick={onRemove}>
          ×
        </button>
      )}
    </legend>
  );
}

function Messages({ errors, path, id }: { errors: FieldErrors; path: string; id: string }) {
  const list = errors.get(path);
  if (!list?.length) return null;
  return (
    <ul className="field-errors" id={id} role="alert">
      {list.map((m, i) => (
        <li key={i}>{m}</li>
      ))}
    </ul>
  );
}

/** Errors anywhere below `path` (to flag a collapsed group). */
function hasErrorsBelow(errors: FieldErrors, path: string): boolean {
  for (const [p, list] of errors) if (list.length && (path === '' || p === path || p.startsWith(`${path}.`))) return true;
  return false;
}

function SchemaField(props: FieldProps) {
  const { name, path, schema, value, onChange, required, errors, idPrefix, renderField, root } = props;
  const custom = renderField?.(path, schema, value, onChange);
  const id = fieldId(idPrefix, path);
  const label = props.label ?? labelFor(name, schema);
  const errorId = `${id}-errors`;
  const helpId = `${id}-help`;
  const invalid = Boolean(errors.get(path)?.length);
  const described = [schema.description ? helpId : '', invalid ? errorId : ''].filter(Boolean).join(' ') || undefined;
  const kind = schemaKind(schema);

  const header = (forId?: string) => (
    <>
      {!root && (
        <label className="field-label" htmlFor={forId}>
          {label}
          <RequiredMark required={required} />
        </label>
      )}
      {!root && <Help text={schema.description} id={helpId} />}
    </>
  );

  if (custom !== undefined) {
    return (
      <div className={`field field-custom${invalid ? ' has-error' : ''}`} data-field={path}>
        {header(id)}
        {custom}
        <Messages errors={errors} path={path} id={errorId} />
      </div>
    );
  }

  if (kind === 'object' && !root && !required && value === undefined) {
    // An optional group stays folded until the user asks for it: its required fields are
    // required only once it is set.
    return (
      <div className="field field-optional-group" data-field={path}>
        <button type="button" className="link-button" aria-describedby={described} onClick={() => onChange(initialValue(schema) ?? {})}>
          + Set {label.toLowerCase()}
        </button>
        <Help text={schema.description} id={helpId} />
        <Messages errors={errors} path={path} id={errorId} />
      </div>
    );
  }

  if (kind === 'object') {
    const obj = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
    const req = new Set(schema.required ?? []);
    const children = Object.entries(schema.properties ?? {}).map(([key, sub]) => (
      <SchemaField
        key={key}
        name={key}
        path={join(path, key)}
        schema={sub}
        value={obj[key]}
        required={req.has(key)}
        errors={errors}
        idPrefix={idPrefix}
        renderField={renderField}
        onChange={(v) => {
          const next = { ...obj };
          if (v === undefined) delete next[key];
          else next[key] = v;
          onChange(next);
        }}
      />
    ));
    if (root) {
      return (
        <div className="field-group root" data-field={path}>
          <Messages errors={errors} path={path} id={errorId} />
          {children}
        </div>
      );
    }
    return (
      <fieldset className={`field-group${hasErrorsBelow(errors, path) ? ' has-error' : ''}`} data-field={path} aria-describedby={described}>
        <Legend label={label} required={required} onRemove={() => onChange(undefined)} />
        <Help text={schema.description} id={helpId} />
        <Messages errors={errors} path={path} id={errorId} />
        {children}
      </fieldset>
    );
  }

  if (kind === 'map') return <MapField {...props} label={label} />;
  if (kind === 'array') return <ArrayField {...props} label={label} />;
  if (kind === 'choice') return <ChoiceField {...props} label={label} />;

  let control: ReactNode;
  if (kind === 'boolean') {
    const checked = typeof value === 'boolean' ? value : schema.default === true;
    return (
      <div className={`field field-checkbox${invalid ? ' has-error' : ''}`} data-field={path}>
        <label className="field-label" htmlFor={id}>
          <input id={id} type="checkbox" checked={checked} aria-describedby={described} onChange={(e) => onChange(e.target.checked)} /> {label}
        </label>
        <Help text={schema.description} id={helpId} />
        <Messages errors={errors} path={path} id={errorId} />
      </div>
    );
  }
  if (kind === 'json') {
    control = <JsonField id={id} label={label} value={value} onChange={onChange} invalid={invalid} />;
  } else if (schema.enum) {
    const current = value === undefined ? '' : JSON.stringify(value);
    control = (
      <select id={id} value={current} aria-invalid={invalid || undefined} aria-describedby={described} onChange={(e) => onChange(e.target.value === '' ? undefined : (JSON.parse(e.target.value) as unknown))}>
        <option value="">{schema.default !== undefined ? `Default (${String(schema.default)})` : required ? 'Choose…' : '—'}</option>
        {schema.enum.map((option) => (
          <option key={JSON.stringify(option)} value={JSON.stringify(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  } else if (kind === 'number' || kind === 'integer') {
    control = <NumberInput id={id} value={value} integer={kind === 'integer'} schema={schema} invalid={invalid} described={described} onChange={onChange} />;
  } else {
    const secret = isSecret(schema);
    const long = schema.format === 'textarea' || (schema.maxLength ?? 0) > 10_000;
    const common = {
      id,
      value: typeof value === 'string' ? value : value === undefined ? '' : String(value),
      placeholder: secret ? (value === undefined ? 'Not set' : '') : placeholderFor(schema),
      'aria-invalid': invalid || undefined,
      'aria-describedby': described,
      onChange: (e: { target: { value: string } }) => onChange(e.target.value === '' ? undefined : e.target.value),
    };
    control = long && !secret ? <textarea rows={4} {...common} /> : <input type={secret ? 'password' : 'text'} autoComplete={secret ? 'new-password' : 'off'} spellCheck={false} {...common} />;
  }

  return (
    <div className={`field${invalid ? ' has-error' : ''}`} data-field={path}>
      {header(id)}
      {control}
      <Messages errors={errors} path={path} id={errorId} />
    </div>
  );
}

function NumberInput({ id, value, integer, schema, invalid, described, onChange }: { id: string; value: unknown; integer: boolean; schema: JsonSchema; invalid: boolean; described: string | undefined; onChange: (v: unknown) => void }) {
  // Keep what the user typed ("1." on the way to "1.5") while the value holds the number;
  // show the value afresh when it changes from outside (undo).
  const [text, setText] = useState(typeof value === 'number' ? String(value) : '');
  const [seen, setSeen] = useState<unknown>(value);
  if (seen !== value) {
    setSeen(value);
    setText(typeof value === 'number' ? String(value) : '');
  }
  return (
    <input
      id={id}
      type="number"
      inputMode={integer ? 'numeric' : 'decimal'}
      step={integer ? 1 : 'any'}
      min={schema.minimum}
      max={schema.maximum}
      value={text}
      placeholder={placeholderFor(schema)}
      aria-invalid={invalid || undefined}
      aria-describedby={described}
      onChange={(e) => {
        setText(e.target.value);
        const next = e.target.value === '' ? undefined : Number.isNaN(e.target.valueAsNumber) ? seen : e.target.valueAsNumber;
        if (next !== seen) {
          setSeen(next);
          onChange(next);
        }
      }}
    />
  );
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function pretty(v: unknown): string {
  return v === undefined ? '' : JSON.stringify(v, null, 2);
}

/** Free JSON (a value whose schema says nothing more): edited as text, committed when it parses. */
export function JsonField({ id, label, value, onChange, invalid, rows = 6 }: { id: string; label: string; value: unknown; onChange: (v: unknown) => void; invalid: boolean; rows?: number }) {
  const [text, setText] = useState(() => pretty(value));
  const [seen, setSeen] = useState<unknown>(value);
  const [parseError, setParseError] = useState<string | undefined>();
  // The value changed from outside (undo, another field): show it.
  if (!sameJson(seen, value)) {
    setSeen(value);
    setText(pretty(value));
    setParseError(undefined);
  }
  const emit = (v: unknown) => {
    setSeen(v);
    onChange(v);
  };
  return (
    <>
      <CodeEditor
        id={id}
        label={label}
        language="json"
        rows={rows}
        value={text}
        invalid={invalid || Boolean(parseError)}
        onChange={(t) => {
          setText(t);
          if (t.trim() === '') {
            setParseError(undefined);
            emit(undefined);
            return;
          }
          try {
            const v = JSON.parse(t) as unknown;
            setParseError(undefined);
            emit(v);
          } catch (err) {
            setParseError((err as Error).message);
          }
        }}
      />
      {parseError && (
        <p className="field-errors" role="alert">
          Not valid JSON yet: {parseError}
        </p>
      )}
    </>
  );
}

function MapField({ path, schema, value, onChange, errors, idPrefix, renderField, label = '', required }: FieldProps) {
  const obj = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  const valueSchema = (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {}) as JsonSchema;
  const entries = Object.entries(obj);
  const id = fieldId(idPrefix, path);
  const rename = (from: string, to: string) => {
    const next: Record<string, unknown> = {};
    for (const [k, v] of entries) next[k === from ? to : k] = v;
    onChange(next);
  };
  return (
    <fieldset className={`field-group field-map${hasErrorsBelow(errors, path) ? ' has-error' : ''}`} data-field={path}>
      <Legend label={label} required={required} />
      <Help text={schema.description} />
      <Messages errors={errors} path={path} id={`${id}-errors`} />
      {entries.map(([key, v], i) => (
        <div className="map-row" key={i}>
          <input aria-label={`${label}: name ${i + 1}`} className="map-key" value={key} spellCheck={false} onChange={(e) => rename(key, e.target.value)} />
          <div className="map-value">
            <SchemaField
              name={key}
              label={`${key || 'value'}`}
              path={join(path, key)}
              schema={valueSchema}
              value={v}
              required={false}
              errors={errors}
              idPrefix={idPrefix}
              renderField={renderField}
              onChange={(nv) => onChange({ ...obj, [key]: nv ?? '' })}
            />
          </div>
          <button type="button" className="icon-button" aria-label={`Remove ${key || 'entry'}`} onClick={() => {
            const next = { ...obj };
            delete next[key];
            onChange(next);
          }}>
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="link-button"
        onClick={() => {
          let key = 'name';
          for (let n = 2; Object.hasOwn(obj, key); n++) key = `name${n}`;
          onChange({ ...obj, [key]: initialValue(valueSchema) ?? '' });
        }}
      >
        + Add {label.toLowerCase().replace(/s$/, '')}
      </button>
    </fieldset>
  );
}

function ArrayField({ path, schema, value, onChange, errors, idPrefix, renderField, label = '', required }: FieldProps) {
  const list = Array.isArray(value) ? value : [];
  const itemSchema = schema.items ?? {};
  const id = fieldId(idPrefix, path);
  const set = (i: number, v: unknown) => onChange(list.map((x, j) => (j === i ? v : x)));
  return (
    <fieldset className={`field-group field-array${hasErrorsBelow(errors, path) ? ' has-error' : ''}`} data-field={path}>
      <Legend label={label} required={required} />
      <Help text={schema.description} />
      <Messages errors={errors} path={path} id={`${id}-errors`} />
      {list.map((item, i) => (
        <div className="array-row" key={i}>
          <SchemaField name={`${i + 1}`} label={`${labelFor('', itemSchema) || 'Item'} ${i + 1}`} path={join(path, i)} schema={itemSchema} value={item} required={false} errors={errors} idPrefix={idPrefix} renderField={renderField} onChange={(v) => set(i, v)} />
          <div className="array-actions">
            <button type="button" className="icon-button" aria-label={`Move item ${i + 1} up`} disabled={i === 0} onClick={() => onChange(list.map((x, j) => (j === i - 1 ? list[i] : j === i ? list[i - 1] : x)))}>
              ↑
            </button>
            <button type="button" className="icon-button" aria-label={`Remove item ${i + 1}`} onClick={() => onChange(list.filter((_, j) => j !== i))}>
              ×
            </button>
          </div>
        </div>
      ))}
      <button type="button" className="link-button" disabled={schema.maxItems !== undefined && list.length >= schema.maxItems} onClick={() => onChange([...list, initialValue(itemSchema)])}>
        + Add item
      </button>
    </fieldset>
  );
}

function ChoiceField({ path, schema, value, onChange, errors, idPrefix, renderField, label = '', required, name }: FieldProps) {
  const alternatives = alternativesOf(schema);
  // A just-chosen alternative may not be recognisable from its value yet ({} before its
  // required field is typed), so the choice is also remembered here.
  const [picked, setPicked] = useState<number | undefined>();
  const recognised = pickAlternative(alternatives, value);
  const chosen = recognised >= 0 ? recognised : value !== undefined && picked !== undefined ? picked : -1;
  const id = fieldId(idPrefix, path);
  const alt = chosen >= 0 ? alternatives[chosen] : undefined;
  return (
    <div className={`field field-choice${hasErrorsBelow(errors, path) ? ' has-error' : ''}`} data-field={path}>
      <label className="field-label" htmlFor={id}>
        {label}
        <RequiredMark required={required} />
      </label>
      <Help text={schema.description} />
      <select
        id={id}
        value={chosen >= 0 ? String(chosen) : ''}
        onChange={(e) => {
          const i = e.target.value === '' ? undefined : Number(e.target.value);
          setPicked(i);
          onChange(i === undefined ? undefined : (initialValue(alternatives[i]) ?? {}));
        }}
      >
        <option value="">{required ? 'Choose…' : 'Not set (default)'}</option>
        {alternatives.map((a, i) => (
          <option key={i} value={i}>
            {a.title ?? `Option ${i + 1}`}
          </option>
        ))}
      </select>
      <Messages errors={errors} path={path} id={`${id}-errors`} />
      {alt && (
        <div className="choice-body">
          <SchemaField name={name} path={path} schema={{ ...alt, title: undefined, description: undefined }} value={value} required errors={withoutErrorsAt(errors, path)} idPrefix={`${idPrefix}-c${chosen}`} renderField={renderField} root onChange={onChange} />
        </div>
      )}
    </div>
  );
}

// The choice's own messages are shown once, above its body; the body shows only deeper ones.
function withoutErrorsAt(errors: FieldErrors, path: string): FieldErrors {
  const out = new Map<string, readonly string[]>();
  for (const [p, list] of errors) if (p !== path) out.set(p, list);
  return out;
}
