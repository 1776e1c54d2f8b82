import type { FlowDocument, FlowNode } from '../../flows/flow-document.ts';
import type { NodeCatalog } from '../../flows/node-kinds.ts';
import { hasSealed, maskConfigSecrets, openConfigSecrets, sealConfigSecrets, type SecretKeys } from './config-secrets.ts';

/** What a node's sealed values are bound to: a sealed value copied to another node does not open. */
export function nodeSecretAad(flowId: string, nodeId: string): string {
  return `flow:${flowId}:node:${nodeId}`;
}

function mapNodes(doc: FlowDocument, fn: (node: FlowNode) => FlowNode): FlowDocument {
  return { ...doc, nodes: doc.nodes.map((n) => (n && typeof n === 'object' && n.config && typeof n.config === 'object' ? fn(n) : n)) };
}

/** Seals the writeOnly config values of every node; masks sent back keep the previous version's sealed values. */
export function sealFlowSecrets(doc: FlowDocument, flowId: string, catalog: NodeCatalog, keys: SecretKeys, previous?: FlowDocument): FlowDocument {
  const before = new Map((previous?.nodes ?? []).map((n) => [n.id, n]));
  return mapNodes(doc, (node) => {
    const kind = catalog.get(node.type);
    if (!kind) return node;
    const config = sealConfigSecrets(node.config, kind.configSchema, keys, nodeSecretAad(flowId, node.id), before.get(node.id)?.config) as Record<string, unknown>;
    return config === node.config ? node : { ...node, config };
  });
}

/** The document as API answers show it: every sealed value replaced by the mask. */
export function maskFlowSecrets(doc: FlowDocument): FlowDocument {
  return mapNodes(doc, (node) => (hasSealed(node.config) ? { ...node, config: maskConfigSecrets(node.config) as Record<string, unknown> } : node));
}

/** The document with secrets opened, for validation in this process; never stored or returned. */
export function openFlowSecrets(doc: FlowDocument, flowId: string, keys: SecretKeys): FlowDocument {
  return mapNodes(doc, (node) => (hasSealed(node.config) ? { ...node, config: openConfigSecrets(node.config, keys, nodeSecretAad(flowId, node.id)) as Record<string, unknown> } : node));
}
