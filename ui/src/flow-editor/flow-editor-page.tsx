import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Problem } from '../../../flows/error-codes.ts';
import type { FlowDocument } from '../../../flows/flow-document.ts';
import { validateFlow } from '../../../flows/flow.validation.ts';
import { ApiError, describeError } from '../api/api-client.ts';
import type { DeployResult, FlowVersion, FlowView } from '../api/api-types.ts';
import { useApp } from '../app/app-context.tsx';
import { navigate } from '../app/route.ts';
import { DecorationsContext, type CanvasDecorations } from '../canvas/decorations.ts';
import { FlowCanvas } from '../canvas/flow-canvas.tsx';
import { Palette } from '../canvas/palette.tsx';
import { Dialog } from '../components/dialog.tsx';
import { downloadJson } from '../components/download.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { Spinner } from '../components/progress.tsx';
import { Inspector } from '../inspector/inspector.tsx';
import type { SampleInput } from '../inspector/sample-beside.tsx';
import { canonicalJson } from '../model/canonical-json.ts';
import { copySelection, parseFragment, type ClipboardFragment } from '../model/clipboard.ts';
import { flowFileName, toFlowFile } from '../model/flow-file.ts';
import { indexProblems, toCanvas, toDocument, type CanvasFlow } from '../model/flow-model.ts';
import { clearDraft, readDraft, writeDraft } from '../model/local-draft.ts';
import { useFlowStream } from '../operate/use-flow-stream.ts';
import type { NodeRunResult } from '../test-run/run-flow-test.ts';
import { EditorPanels, type PanelTab } from './editor-panels.tsx';
import { DeployDialog, type DeployPlan } from './deploy-dialog.tsx';
import { ShortcutsDialog, useEditorShortcuts } from './editor-shortcuts.tsx';
import { useEditorState } from './use-editor-state.ts';
import { VersionsDialog } from './versions-dialog.tsx';

/** The clipboard of this tab: copy in one flow, paste in another. */
let clipboard: ClipboardFragment | undefined;

/** The text a saved document is compared by: canonical, without the server's revision number. */
function savedForm(doc: FlowDocument): string {
  const { version: _v, ...rest } = doc;
  return canonicalJson(rest);
}

export function FlowEditorPage({ flowId }: { flowId: string }) {
  const { api } = useApp();
  const [view, setView] = useState<FlowView | undefined>();
  const [error, setError] = useState<unknown>();
  const load = useCallback(() => {
    setError(undefined);
    api
      .get<FlowView>(`/flows/${encodeURIComponent(flowId)}`)
      .then(setView)
      .catch(setError);
  }, [api, flowId]);
  useEffect(load, [load]);
  if (error !== undefined) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <main className="loading-screen">
        <ErrorBox title={missing ? 'This flow does not exist (any more)' : 'The flow could not be loaded'} error={error} onRetry={missing ? undefined : load} />
        <button type="button" onClick={() => navigate('/')}>
          Back to the flows
        </button>
      </main>
    );
  }
  if (!view) {
    return (
      <main className="loading-screen">
        <Spinner label="Loading the flow…" />
      </main>
    );
  }
  return (
    <ReactFlowProvider>
      <FlowEditor key={`${view.id}`} view={view} onReload={load} />
    </ReactFlowProvider>
  );
}

interface SavedState {
  version: number;
  deployedVersion: number | undefined;
  text: string;
}

function FlowEditor({ view, onReload }: { view: FlowView; onReload: () => void }) {
  const { api, catalog, notify } = useApp();
  const flowId = view.id;
  const reactFlow = useReactFlow();

  // Unsaved work from an earlier visit of this tab or browser comes back, when it was made on this version.
  const [initial] = useState<CanvasFlow & { restored: boolean }>(() => {
    const draft = readDraft(flowId);
    const usable = draft && draft.baseVersion === view.version;
    return { ...toCanvas(usable ? draft.doc : view.doc), restored: Boolean(usable) };
  });
  const { meta, nodes, edges, actions, canUndo, canRedo } = useEditorState(initial);
  const [saved, setSaved] = useState<SavedState>(() => {
    // The baseline goes through the same adapter as the canvas, so an untouched flow is not "changed".
    const c = toCanvas(view.doc);
    return { version: view.version, deployedVersion: view.deployedVersion, text: savedForm(toDocument({ ...c.meta, id: flowId }, c.nodes, c.edges)) };
  });
  const [busy, setBusy] = useState<'save' | 'deploy' | 'undeploy' | undefined>();
  const [deployPlan, setDeployPlan] = useState<DeployPlan | undefined>();
  const [dialog, setDialog] = useState<'versions' | 'shortcuts' | 'conflict' | undefined>();
  const [panel, setPanel] = useState<PanelTab>('problems');
  const [lastRun, setLastRun] = useState<{ nodes: Readonly<Record<string, NodeRunResult>>; event: Record<string, unknown> } | undefined>();
  const run = lastRun?.nodes;
  const [sampleText, setSampleText] = useState('');
  const live = useFlowStream(api, flowId);

  // Someone (another tab, the CLI) deployed or undeployed this flow: show it.
  useEffect(() => {
    if (live.deployedVersion === undefined) return;
    const deployed = live.deployedVersion ?? undefined;
    setSaved((s) => (s.deployedVersion === deployed ? s : { ...s, deployedVersion: deployed }));
  }, [live.deployedVersion]);

  const doc = useMemo(() => toDocument({ ...meta, id: flowId }, nodes, edges), [meta, nodes, edges, flowId]);
  const docText = useMemo(() => savedForm(doc), [doc]);
  const dirty = docText !== saved.text;

  useEffect(() => {
    if (initial.restored) notify('info', 'Restored the unsaved changes this browser kept for this flow.');
    if (initial.needsLayout) actions.layout();
  }, [initial, actions, notify]);

  // Keep unsaved work in this browser, so a reload or crash loses nothing.
  useEffect(() => {
    const timer = setTimeout(() => {
      if (dirty) writeDraft(flowId, { baseVersion: saved.version, doc, savedAt: new Date().toISOString() });
      else clearDraft(flowId);
    }, 400);
    return () => clearTimeout(timer);
  }, [dirty, doc, flowId, saved.version]);

  // Validation with flows/ (what the server runs on deploy), a moment after the content changes.
  // Positions do not change validity, so dragging does not revalidate.
  const contentKey = useMemo(() => canonicalJson({ ...doc, nodes: doc.nodes.map(({ position: _p, ...n }) => n) }), [doc]);
  const [validated, setValidated] = useState<{ doc: FlowDocument; problems: Problem[] }>(() => ({ doc, problems: validateFlow(doc, catalog.catalog) }));
  const latestDoc = useRef(doc);
  latestDoc.current = doc;
  useEffect(() => {
    const timer = setTimeout(() => {
      const d = latestDoc.current;
      setValidated({ doc: d, problems: validateFlow(d, catalog.catalog) });
    }, 120);
    return () => clearTimeout(timer);
  }, [contentKey, catalog]);
  const problemIndex = useMemo(() => indexProblems(validated.doc, validated.problems), [validated]);

  const decorations = useMemo<CanvasDecorations>(() => ({ problems: problemIndex.byNode, run, kindOf: catalog.kindOf }), [problemIndex, run, catalog]);
  const selected = useMemo(() => nodes.filter((n) => n.selected), [nodes]);

  // ---- sample events for the language editors and the test run
  const sampleFor = useCallback(
    (nodeId: string | undefined): SampleInput => {
      const input = nodeId ? lastRun?.nodes[nodeId]?.input : undefined;
      if (input !== undefined) return { value: input, origin: "this node's input in the last test run" };
      if (lastRun) return { value: lastRun.event, origin: "the last test run's event (it did not reach this node)" };
      try {
        const v = JSON.parse(sampleText) as unknown;
        if (typeof v === 'object' && v !== null && 'specversion' in v) return { value: v, origin: "the flow's sample event (Test run tab)" };
      } catch {
        // No usable sample yet: fall back to an example.
      }
      return { value: exampleEvent(doc), origin: 'an example event; run a test with a real one to use it here' };
    },
    [lastRun, sampleText, doc],
  );

  // ---- save, deploy, undeploy
  const save = useCallback(async (): Promise<FlowView | undefined> => {
    setBusy('save');
    try {
      const result = await api.put<FlowView>(`/flows/${encodeURIComponent(flowId)}`, { ...doc, version: saved.version });
      setSaved({ version: result.version, deployedVersion: result.deployedVersion, text: savedForm(result.doc) });
      actions.updateMeta({ version: result.version }, 'save');
      clearDraft(flowId);
      notify('success', `Saved as version ${result.version}.`);
      return result;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'ERR_FLOW_VERSION_CONFLICT') setDialog('conflict');
      else notify('error', `Not saved: ${describeError(err)}`);
      return undefined;
    } finally {
      setBusy(undefined);
    }
  }, [api, flowId, doc, saved.version, actions, notify]);

  const deployedDoc = useCallback(
    async (versions?: FlowVersion[]): Promise<DeployPlan['before']> => {
      if (saved.deployedVersion === undefined) return undefined;
      const list = versions ?? (await api.get<{ items: FlowVersion[] }>(`/flows/${encodeURIComponent(flowId)}/versions`)).items;
      const v = list.find((x) => x.version === saved.deployedVersion);
      return v ? { version: v.version, doc: v.doc } : undefined;
    },
    [api, flowId, saved.deployedVersion],
  );

  const startDeploy = useCallback(async () => {
    setBusy('deploy');
    try {
      let version = saved.version;
      let target = doc;
      if (dirty) {
        const result = await save();
        if (!result) return;
        version = result.version;
        target = result.doc;
      }
      setDeployPlan({ before: await deployedDoc(), after: { version, doc: target }, problems: validateFlow(target, catalog.catalog), rollback: false });
    } catch (err) {
      notify('error', describeError(err));
    } finally {
      setBusy(undefined);
    }
  }, [saved.version, doc, dirty, save, deployedDoc, catalog, notify]);

  const onDeployed = (result: DeployResult, rollback: boolean) => {
    setDeployPlan(undefined);
    setSaved((s) => ({ ...s, deployedVersion: result.version }));
    const hooks = result.webhookSources.map((s) => `/webhooks/${s}`).join(', ');
    notify('success', `${rollback ? 'Rolled back to' : 'Deployed'} version ${result.version}: ${result.rules} rule${result.rules === 1 ? '' : 's'}${hooks ? `, receiving at ${hooks}` : ''}.`);
  };

  const undeploy = async () => {
    setBusy('undeploy');
    try {
      await api.del(`/flows/${encodeURIComponent(flowId)}/deploy`);
      setSaved((s) => ({ ...s, deployedVersion: undefined }));
      notify('success', 'The flow is no longer deployed; its webhooks stop accepting events.');
    } catch (err) {
      notify('error', describeError(err));
    } finally {
      setBusy(undefined);
    }
  };

  // ---- clipboard and shortcuts
  const copy = useCallback(
    (cut: boolean) => {
      const fragment = copySelection(nodes, edges);
      if (!fragment) return;
      clipboard = fragment;
      void navigator.clipboard?.writeText(JSON.stringify(fragment, null, 2)).catch(() => undefined);
      if (cut) actions.deleteSelection();
      notify('info', `${cut ? 'Cut' : 'Copied'} ${fragment.nodes.length} node${fragment.nodes.length === 1 ? '' : 's'}.`);
    },
    [nodes, edges, actions, notify],
  );
  const paste = useCallback(
    (fragment: ClipboardFragment | undefined = clipboard) => {
      if (!fragment) return;
      actions.paste(fragment, { x: 40, y: 40 });
    },
    [actions],
  );
  const addAtCentre = useCallback(
    (key: string) => {
      const item = catalog.palette.find((i) => i.key === key);
      if (!item) return;
      const box = document.querySelector('.canvas')?.getBoundingClientRect();
      const p = box ? reactFlow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
      actions.addNode(item, { x: Math.round(p.x - 100 + (nodes.length % 5) * 16), y: Math.round(p.y - 30 + (nodes.length % 5) * 16) });
    },
    [catalog, reactFlow, actions, nodes.length],
  );

  const layoutAndFit = useCallback(() => {
    actions.layout();
    // Fit once React Flow has the new positions.
    setTimeout(() => void reactFlow.fitView({ padding: 0.2, maxZoom: 1.2, duration: 200 }), 50);
  }, [actions, reactFlow]);

  useEditorShortcuts({
    save: () => void save(),
    undo: actions.undo,
    redo: actions.redo,
    copy: () => copy(false),
    cut: () => copy(true),
    paste: (text) => paste(text ? (parseFragment(text) ?? clipboard) : clipboard),
    selectAll: actions.selectAll,
    deselect: () => actions.selectOnly([]),
    layout: layoutAndFit,
    fit: () => void reactFlow.fitView({ padding: 0.2, maxZoom: 1.2, duration: 200 }),
    help: () => setDialog('shortcuts'),
  });

  const jumpTo = useCallback(
    (nodeId: string) => {
      actions.selectOnly([nodeId]);
      const n = nodes.find((x) => x.id === nodeId);
      if (n) void reactFlow.setCenter(n.position.x + (n.measured?.width ?? 200) / 2, n.position.y + (n.measured?.height ?? 60) / 2, { zoom: Math.max(reactFlow.getZoom(), 0.9), duration: 250 });
    },
    [actions, nodes, reactFlow],
  );

  const status =
    saved.deployedVersion === undefined
      ? { label: 'Draft', kind: 'draft' }
      : saved.deployedVersion === saved.version && !dirty
        ? { label: `Deployed v${saved.deployedVersion}`, kind: 'deployed' }
        : { label: `Deployed v${saved.deployedVersion}${saved.deployedVersion !== saved.version ? ` · v${saved.version} saved` : ''}`, kind: 'changed' };

  return (
    <DecorationsContext.Provider value={decorations}>
      <main className="editor" data-testid="flow-editor">
        <header className="editor-toolbar">
          <button type="button" className="ghost" onClick={() => navigate('/')} aria-label="Back to the flows">
            ←
          </button>
          <input className="flow-name" aria-label="Flow name" value={meta.name} onChange={(e) => actions.updateMeta({ name: e.target.value })} />
          <span className={`badge badge-${status.kind}`} data-testid="flow-status">
            {status.label}
          </span>
          {dirty && (
            <span className="badge badge-unsaved" data-testid="unsaved">
              Unsaved changes
            </span>
          )}
          <div className="toolbar-group" role="group" aria-label="Edit">
            <button type="button" className="ghost" onClick={actions.undo} disabled={!canUndo} title="Undo (Ctrl+Z)">
              Undo
            </button>
            <button type="button" className="ghost" onClick={actions.redo} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)">
              Redo
            </button>
            <button
              type="button"
              className="ghost"
              title="Auto-layout (L)"
              onClick={layoutAndFit}
            >
              Auto-layout
            </button>
            <button type="button" className="ghost" title="Keyboard shortcuts (?)" onClick={() => setDialog('shortcuts')}>
              Shortcuts
            </button>
          </div>
          <div className="toolbar-group" role="group" aria-label="Flow">
            <button type="button" className="ghost" onClick={() => setDialog('versions')}>
              Versions
            </button>
            <button type="button" className="ghost" onClick={() => downloadJson(flowFileName(doc), toFlowFile(doc))}>
              Export
            </button>
            {saved.deployedVersion !== undefined && (
              <button type="button" className="ghost danger" onClick={() => void undeploy()} disabled={Boolean(busy)}>
                {busy === 'undeploy' ? <Spinner label="Stopping…" /> : 'Undeploy'}
              </button>
            )}
            <button type="button" onClick={() => void save()} disabled={Boolean(busy) || !dirty} title="Save (Ctrl+S)">
              {busy === 'save' ? <Spinner label="Saving…" /> : 'Save'}
            </button>
            <button type="button" className="primary" onClick={() => void startDeploy()} disabled={Boolean(busy)}>
              {busy === 'deploy' ? <Spinner label="Preparing…" /> : 'Deploy…'}
            </button>
          </div>
        </header>
        <div className="editor-body">
          <Palette items={catalog.palette} onAdd={(item) => addAtCentre(item.key)} />
          <FlowCanvas
            nodes={nodes}
            edges={edges}
            onNodesChange={actions.onNodesChange}
            onEdgesChange={actions.onEdgesChange}
            onConnect={actions.onConnect}
            paletteItems={catalog.palette}
            onDropItem={(key, position) => {
              const item = catalog.palette.find((i) => i.key === key);
              if (item) actions.addNode(item, position);
            }}
          />
          <Inspector
            meta={meta}
            nodes={nodes}
            selected={selected}
            problemsOf={(id) => ({ index: validated.doc.nodes.findIndex((n) => n.id === id), problems: problemIndex.byNode.get(id) ?? [] })}
            flowProblems={problemIndex.flow}
            kindOf={catalog.kindOf}
            sampleFor={sampleFor}
            run={run}
            onUpdateNode={actions.updateNode}
            onRenameNode={actions.renameNode}
            onUpdateMeta={actions.updateMeta}
            onDeleteSelection={actions.deleteSelection}
            onCopy={() => copy(false)}
          />
        </div>
        <EditorPanels
          tab={panel}
          onTab={setPanel}
          flowId={flowId}
          doc={doc}
          problems={validated.problems}
          validatedDoc={validated.doc}
          onJump={jumpTo}
          sampleText={sampleText}
          onSampleText={setSampleText}
          onRun={setLastRun}
          deployedVersion={saved.deployedVersion}
          live={live}
        />
      </main>
      {deployPlan && <DeployDialog flowId={flowId} plan={deployPlan} onClose={() => setDeployPlan(undefined)} onDeployed={(r) => onDeployed(r, deployPlan.rollback)} />}
      {dialog === 'versions' && (
        <VersionsDialog
          flowId={flowId}
          currentVersion={saved.version}
          deployedVersion={saved.deployedVersion}
          onClose={() => setDialog(undefined)}
          onOpen={(v) => {
            setDialog(undefined);
            const c = toCanvas({ ...v.doc, id: flowId, version: saved.version });
            actions.replace(c);
            notify('info', `Version ${v.version} is on the canvas. Save to make it the newest version, or undo to go back.`);
          }}
          onDeploy={(v, all) => {
            setDialog(undefined);
            deployedDoc(all)
              .then((before) => setDeployPlan({ before, after: { version: v.version, doc: v.doc }, problems: validateFlow(v.doc, catalog.catalog), rollback: saved.deployedVersion !== undefined && v.version < saved.deployedVersion }))
              .catch((err: unknown) => notify('error', describeError(err)));
          }}
        />
      )}
      {dialog === 'shortcuts' && <ShortcutsDialog onClose={() => setDialog(undefined)} />}
      {dialog === 'conflict' && (
        <Dialog
          title="The flow changed on the server"
          onClose={() => setDialog(undefined)}
          footer={
            <>
              <button
                type="button"
                onClick={() => {
                  clearDraft(flowId);
                  setDialog(undefined);
                  onReload();
                }}
              >
                Discard my changes and reload
              </button>
              <button
                type="button"
                className="primary"
                onClick={() => {
                  setDialog(undefined);
                  api
                    .get<FlowView>(`/flows/${encodeURIComponent(flowId)}`)
                    .then((latest) => setSaved((s) => ({ ...s, version: latest.version, deployedVersion: latest.deployedVersion })))
                    .then(() => notify('info', 'Your changes now build on the latest version; save again to store them.'))
                    .catch((err: unknown) => notify('error', describeError(err)));
                }}
              >
                Keep my changes
              </button>
            </>
          }
        >
          <p>Someone saved a newer version of this flow while you were editing, so your save was refused rather than overwriting theirs.</p>
          <p>Keep your changes to save them on top of the newer version (theirs stays in the version history), or discard yours and load theirs.</p>
        </Dialog>
      )}
    </DecorationsContext.Provider>
  );
}

/** A CloudEvent to try editors on before the user has a real one: shaped like what the flow's source makes. */
function exampleEvent(doc: FlowDocument): Record<string, unknown> {
  const webhook = doc.nodes.find((n) => n.type === 'source.webhook');
  const sourceId = typeof webhook?.config.sourceId === 'string' ? webhook.config.sourceId : 'example';
  return {
    specversion: '1.0',
    id: 'example-1',
    source: `/webhooks/${sourceId}`,
    type: 'webhook.received',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { example: true },
  };
}
