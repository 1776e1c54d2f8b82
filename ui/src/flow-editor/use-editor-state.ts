// The editor's document state: canvas nodes and edges (React Flow's controlled state) plus
// the rest of the flow document, with undo/redo. Every user edit goes through `edit`, so
// each one is one undo step; selection and measuring are view state and are not.
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react';
import { useCallback, useMemo, useState } from 'react';
import { layoutNodes } from '../model/auto-layout.ts';
import { pasteFragment, type ClipboardFragment } from '../model/clipboard.ts';
import { newNodeId, toCanvasNode, type CanvasEdge, type CanvasFlow, type CanvasNode, type FlowMeta, type FlowNodeData } from '../model/flow-model.ts';
import { createHistory, recordEdit, redo as redoHistory, undo as undoHistory, type History } from '../model/history.ts';
import type { PaletteItem } from '../model/node-catalog.ts';

export interface Snapshot {
  meta: FlowMeta;
  nodes: CanvasNode[];
  edges: CanvasEdge[];
}

interface State extends Snapshot {
  history: History<Snapshot>;
  /** A drag is in progress (its start was recorded; its moves are not). */
  dragging: boolean;
}

const snap = (s: Snapshot): Snapshot => ({ meta: s.meta, nodes: s.nodes, edges: s.edges });

function select<T extends { selected?: boolean }>(items: T[], pick: (item: T) => boolean): T[] {
  return items.map((item) => {
    const selected = pick(item);
    return Boolean(item.selected) === selected ? item : { ...item, selected };
  });
}

export interface EditorActions {
  onNodesChange(changes: NodeChange<CanvasNode>[]): void;
  onEdgesChange(changes: EdgeChange<CanvasEdge>[]): void;
  onConnect(connection: Connection): void;
  /** Adds a node of a palette entry at `position`, selected. */
  addNode(item: PaletteItem, position: { x: number; y: number }): void;
  updateNode(id: string, patch: Partial<FlowNodeData>, key?: string): void;
  renameNode(id: string, newId: string): void;
  updateMeta(patch: Partial<FlowMeta>, key?: string): void;
  deleteSelection(): void;
  selectOnly(ids: readonly string[]): void;
  selectAll(): void;
  paste(fragment: ClipboardFragment, offset: { x: number; y: number }): void;
  layout(): void;
  /** Replaces the whole document (a restored version or draft); undoable. */
  replace(flow: Pick<CanvasFlow, 'meta' | 'nodes' | 'edges'>): void;
  undo(): void;
  redo(): void;
}

export function useEditorState(initial: Pick<CanvasFlow, 'meta' | 'nodes' | 'edges'>) {
  const [state, setState] = useState<State>(() => ({ ...initial, history: createHistory<Snapshot>(), dragging: false }));

  /** Applies a document edit as one undo step (`key`: same-key edits in quick succession merge). */
  const edit = useCallback((fn: (s: Snapshot) => Snapshot, key?: string) => {
    setState((s) => {
      const next = fn(s);
      if (next.meta === s.meta && next.nodes === s.nodes && next.edges === s.edges) return s;
      return { ...next, history: recordEdit(s.history, snap(s), key), dragging: s.dragging };
    });
  }, []);

  const actions = useMemo<EditorActions>(
    () => ({
      onNodesChange(changes) {
        setState((s) => {
          const removes = changes.some((c) => c.type === 'remove' || c.type === 'add' || c.type === 'replace');
          const moves = changes.filter((c) => c.type === 'position');
          const dragStart = moves.some((c) => c.type === 'position' && c.dragging === true) && !s.dragging;
          const dragEnd = moves.some((c) => c.type === 'position' && c.dragging === false);
          const keyMove = moves.length > 0 && moves.every((c) => c.type === 'position' && c.dragging === undefined);
          const nodes = applyNodeChanges(changes, s.nodes);
          let history = s.history;
          if (removes) history = recordEdit(history, snap(s), 'delete');
          else if (dragStart) history = recordEdit(history, snap(s));
          else if (keyMove) history = recordEdit(history, snap(s), 'key-move');
          return { ...s, nodes, history, dragging: dragStart ? true : dragEnd ? false : s.dragging };
        });
      },
      onEdgesChange(changes) {
        setState((s) => {
          const edges = applyEdgeChanges(changes, s.edges);
          // Removing nodes removes their edges in a second change list: one undo step for both.
          const history = changes.some((c) => c.type === 'remove') ? recordEdit(s.history, snap(s), 'delete') : s.history;
          return { ...s, edges, history };
        });
      },
      onConnect(c) {
        if (!c.source || !c.target || c.source === c.target) return;
        edit((s) => {
          if (s.edges.some((e) => e.source === c.source && e.target === c.target)) return s;
          const taken = new Set(s.edges.map((e) => e.id));
          let id = `e-${c.source}-${c.target}`;
          for (let i = 2; taken.has(id); i++) id = `e-${c.source}-${c.target}-${i}`;
          return { ...s, edges: [...s.edges, { id, source: c.source, target: c.target }] };
        });
      },
      addNode(item, position) {
        edit((s) => {
          const id = newNodeId(item.type, new Set(s.nodes.map((n) => n.id)));
          const node = toCanvasNode({ id, type: item.type, position, config: structuredClone(item.config) }, 0);
          node.selected = true;
          return { ...s, nodes: [...select(s.nodes, () => false), node], edges: select(s.edges, () => false) };
        });
      },
      updateNode(id, patch, key) {
        edit((s) => ({ ...s, nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n)) }), key ?? `node:${id}:${Object.keys(patch).join(',')}`);
      },
      renameNode(id, newId) {
        edit((s) => {
          if (id === newId || s.nodes.some((n) => n.id === newId)) return s;
          return {
            ...s,
            nodes: s.nodes.map((n) => (n.id === id ? { ...n, id: newId } : n)),
            edges: s.edges.map((e) => (e.source === id || e.target === id ? { ...e, source: e.source === id ? newId : e.source, target: e.target === id ? newId : e.target } : e)),
          };
        }, `rename:${id}`);
      },
      updateMeta(patch, key) {
        edit((s) => ({ ...s, meta: { ...s.meta, ...patch } }), key ?? `meta:${Object.keys(patch).join(',')}`);
      },
      deleteSelection() {
        edit((s) => {
          const gone = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
          const edges = s.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
          if (!gone.size && edges.length === s.edges.length) return s;
          return { ...s, nodes: s.nodes.filter((n) => !gone.has(n.id)), edges };
        });
      },
      selectOnly(ids) {
        const set = new Set(ids);
        setState((s) => ({ ...s, nodes: select(s.nodes, (n) => set.has(n.id)), edges: select(s.edges, () => false) }));
      },
      selectAll() {
        setState((s) => ({ ...s, nodes: select(s.nodes, () => true), edges: select(s.edges, () => true) }));
      },
      paste(fragment, offset) {
        edit((s) => {
          const pasted = pasteFragment(fragment, new Set(s.nodes.map((n) => n.id)), offset);
          return { ...s, nodes: [...select(s.nodes, () => false), ...pasted.nodes], edges: [...select(s.edges, () => false), ...pasted.edges] };
        });
      },
      layout() {
        edit((s) => {
          const nodes = layoutNodes(s.nodes, s.edges);
          return nodes.every((n, i) => n === s.nodes[i]) ? s : { ...s, nodes };
        });
      },
      replace(flow) {
        edit(() => ({ meta: flow.meta, nodes: flow.nodes, edges: flow.edges }));
      },
      undo() {
        setState((s) => {
          const r = undoHistory(s.history, snap(s));
          return r ? { ...r.state, history: r.history, dragging: false } : s;
        });
      },
      redo() {
        setState((s) => {
          const r = redoHistory(s.history, snap(s));
          return r ? { ...r.state, history: r.history, dragging: false } : s;
        });
      },
    }),
    [edit],
  );

  return {
    meta: state.meta,
    nodes: state.nodes,
    edges: state.edges,
    canUndo: state.history.past.length > 0,
    canRedo: state.history.future.length > 0,
    actions,
  };
}
