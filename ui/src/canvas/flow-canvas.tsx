import { Background, Controls, MiniMap, ReactFlow, useReactFlow, type Connection, type EdgeChange, type IsValidConnection, type NodeChange } from '@xyflow/react';
import { useCallback, useState, type DragEvent } from 'react';
import type { NodeRole } from '../../../flows/node-kinds.ts';
import type { CanvasEdge, CanvasNode } from '../model/flow-model.ts';
import type { PaletteItem } from '../model/node-catalog.ts';
import { useDecorations } from './decorations.ts';
import { FlowNodeView } from './flow-node-view.tsx';
import { PALETTE_MIME } from './palette.tsx';

const NODE_TYPES = { flowNode: FlowNodeView };
const MINIMAP_COLOURS: Record<NodeRole, string> = { source: '#0e9f6e', filter: '#c27803', transform: '#7e3af2', target: '#1c64f2' };

export interface FlowCanvasProps {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  onNodesChange: (changes: NodeChange<CanvasNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<CanvasEdge>[]) => void;
  onConnect: (c: Connection) => void;
  onDropItem: (key: string, position: { x: number; y: number }) => void;
  paletteItems: readonly PaletteItem[];
  readOnly?: boolean;
}

/** The canvas: drop palette items, drag handles to connect, select, pan and zoom; minimap and controls. */
export function FlowCanvas({ nodes, edges, onNodesChange, onEdgesChange, onConnect, onDropItem, readOnly }: FlowCanvasProps) {
  const flow = useReactFlow<CanvasNode, CanvasEdge>();
  const { kindOf } = useDecorations();
  // Fit a loaded flow into view once; an empty canvas keeps zoom 1, so the first dropped
  // node does not make the view jump under the user's next drop.
  const [fitOnOpen] = useState(nodes.length > 0);

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(PALETTE_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const key = e.dataTransfer.getData(PALETTE_MIME);
      if (!key) return;
      e.preventDefault();
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      // Drop point is where the pointer is; centre the node's header on it.
      onDropItem(key, { x: Math.round(p.x - 100), y: Math.round(p.y - 20) });
    },
    [flow, onDropItem],
  );

  // Only edges the flow language allows: nothing into a source, nothing out of a target.
  const isValidConnection = useCallback<IsValidConnection<CanvasEdge>>(
    (c) => {
      if (c.source === c.target) return false;
      const from = nodes.find((n) => n.id === c.source);
      const to = nodes.find((n) => n.id === c.target);
      return kindOf(from?.data.type ?? '')?.role !== 'target' && kindOf(to?.data.type ?? '')?.role !== 'source';
    },
    [nodes, kindOf],
  );

  return (
    <div className="canvas" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      <ReactFlow<CanvasNode, CanvasEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        deleteKeyCode={readOnly ? null : ['Backspace', 'Delete']}
        multiSelectionKeyCode={['Meta', 'Control', 'Shift']}
        selectionKeyCode="Shift"
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        fitView={fitOnOpen}
        fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
        minZoom={0.1}
        maxZoom={2}
        defaultEdgeOptions={{ type: 'smoothstep' }}
        onlyRenderVisibleElements={nodes.length > 60}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable ariaLabel="Minimap" nodeColor={(n) => MINIMAP_COLOURS[kindOf((n as CanvasNode).data.type)?.role ?? 'target'] ?? '#888'} />
      </ReactFlow>
      {!nodes.length && (
        <div className="canvas-empty" aria-hidden="true">
          <p>Drag a source from the palette to start, then a filter or transform, then a target.</p>
          <p>Connect nodes by dragging from a node's right handle to another node's left handle.</p>
        </div>
      )}
    </div>
  );
}
