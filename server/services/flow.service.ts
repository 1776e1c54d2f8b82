import type { Redis } from 'ioredis';
import { FlowbridgeError, type Problem } from '../../flows/error-codes.ts';
import { compileFlow, DEFAULT_BUS, type CompiledFlow } from '../../flows/flow.compiler.ts';
import type { FlowDocument, FlowNode } from '../../flows/flow-document.ts';
import { validateFlow } from '../../flows/flow.validation.ts';
import type { NodeCatalog } from '../../flows/node-kinds.ts';
import type { Logger } from '../logging.ts';
import type { Keys } from '../redis/keys.ts';
import { ensureBus } from './bus.service.ts';
import { newFlowId, type FlowStore, type StoredFlow } from '../store/flow-store.ts';
import type { SecretKeys } from '../secrets/config-secrets.ts';
import type { ConnectionService } from '../connections/connection.service.ts';
import { maskFlowSecrets, openFlowSecrets, sealFlowSecrets } from '../secrets/flow-secrets.ts';

export interface FlowView extends StoredFlow {
  deployedVersion: number | undefined;
  /** Problems that would block a deploy ([] when deployable). */
  problems: Problem[];
}

function requireShape(doc: unknown): FlowDocument {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new FlowbridgeError('ERR_VALIDATION', 'The body must be a flow document (a JSON object with name, nodes and edges)');
  }
  const d = doc as Partial<FlowDocument>;
  if (typeof d.name !== 'string' || !d.name.trim()) throw new FlowbridgeError('ERR_VALIDATION', 'The flow needs a non-empty "name"', [{ path: 'name' }]);
  if (!Array.isArray(d.nodes) || !Array.isArray(d.edges)) throw new FlowbridgeError('ERR_VALIDATION', 'The flow needs "nodes" and "edges" arrays', [{ path: 'nodes' }]);
  if (d.id !== undefined && (typeof d.id !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(d.id))) {
    throw new FlowbridgeError('ERR_VALIDATION', 'The flow "id" must be 1–64 lower-case letters, digits, "-" or "_"', [{ path: 'id' }]);
  }
  return d as FlowDocument;
}

/** Flows: save drafts (problems reported, not blocking), deploy (problems blocking), undeploy. */
export class FlowService {
  constructor(
    private readonly store: FlowStore,
    private readonly catalog: NodeCatalog,
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly log: Logger,
    private readonly secretKeys: SecretKeys,
    private readonly connections?: ConnectionService,
  ) {}

  /** Problems of a stored (sealed) document, judged on its opened form. */
  private problemsOf(id: string, doc: FlowDocument): Problem[] {
    try {
      return validateFlow(openFlowSecrets(doc, id, this.secretKeys), this.catalog);
    } catch (err) {
      return [{ code: 'ERR_FLOW_NODE_CONFIG', path: 'nodes', message: `A secret of this flow cannot be opened with the loaded keys (${(err as Error).message}); enter it again or load the key it was sealed with` }];
    }
  }

  private async view(stored: StoredFlow): Promise<FlowView> {
    const deployed = await this.store.deployment(stored.id);
    return { ...stored, doc: maskFlowSecrets(stored.doc), deployedVersion: deployed?.version, problems: this.problemsOf(stored.id, stored.doc) };
  }

  async list() {
    return await this.store.list();
  }

  async get(id: string): Promise<FlowView> {
    const stored = await this.store.get(id);
    if (!stored) throw new FlowbridgeError('ERR_NOT_FOUND', `No flow has the id "${id}"`);
    return await this.view(stored);
  }

  async create(input: unknown): Promise<FlowView> {
    const doc = requireShape(input);
    const { version: _v, ...rest } = doc;
    const id = rest.id ?? newFlowId(rest.name);
    return await this.view(await this.store.create(sealFlowSecrets({ ...rest, id }, id, this.catalog, this.secretKeys)));
  }

  /** Saves a new version. The body's `version` (or `expectedVersion`) must be the current one. */
  async update(id: string, input: unknown, expectedVersion: number | undefined): Promise<FlowView> {
    const doc = requireShape(input);
    const expected = expectedVersion ?? doc.version;
    if (expected === undefined) {
      throw new FlowbridgeError('ERR_VALIDATION', 'Send the version you edited (the document\'s "version", or an If-Match header) so concurrent edits are not lost', [{ path: 'version' }]);
    }
    if (doc.id !== undefined && doc.id !== id) throw new FlowbridgeError('ERR_VALIDATION', `The document's id "${doc.id}" differs from the URL's "${id}"`, [{ path: 'id' }]);
    const previous = await this.store.get(id);
    return await this.view(await this.store.update(id, sealFlowSecrets(doc, id, this.catalog, this.secretKeys, previous?.doc), expected));
  }

  /** Saved versions, newest first. */
  async versions(id: string): Promise<{ version: number; updatedAt: string; doc: FlowDocument }[]> {
    await this.get(id);
    return (await this.store.versions(id)).map((v) => ({ version: v.version, updatedAt: v.updatedAt, doc: maskFlowSecrets(v.doc) }));
  }

  async remove(id: string): Promise<void> {
    if (!(await this.store.remove(id))) throw new FlowbridgeError('ERR_NOT_FOUND', `No flow has the id "${id}"`);
    this.log.info({ flowId: id }, 'flow deleted');
  }

  /** Validates, compiles and activates the stored flow (a given version, or the latest). */
  async deploy(id: string, version?: number): Promise<{ flowId: string; version: number; rules: number; webhookSources: string[]; generation: number }> {
    let stored = await this.store.get(id);
    if (!stored) throw new FlowbridgeError('ERR_NOT_FOUND', `No flow has the id "${id}"`);
    if (version !== undefined && version !== stored.version) {
      const older = (await this.store.versions(id)).find((v) => v.version === version);
      if (!older) throw new FlowbridgeError('ERR_FLOW_VERSION_CONFLICT', `Flow "${id}" has no saved version ${version} (latest is ${stored.version})`);
      stored = older;
    }
    const problems = [...this.problemsOf(id, stored.doc), ...(await this.connectionProblems(stored.doc))];
    if (problems.length) {
      throw new FlowbridgeError('ERR_FLOW_INVALID', `The flow has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems[0]!.message}${problems.length > 1 ? ' …' : ''}`, problems);
    }
    // Compiled from the sealed document: deployed rules carry secrets sealed; the process that uses one opens it.
    const compiled: CompiledFlow = compileFlow(stored.doc, this.catalog, { flowId: id, version: stored.version }, { validated: true });
    await ensureBus(this.redis, this.keys, compiled.bus ?? DEFAULT_BUS);
    const generation = await this.store.setDeployment(id, compiled);
    this.log.info({ flowId: id, version: stored.version, rules: compiled.rules.length, generation }, 'flow deployed');
    return { flowId: id, version: stored.version, rules: compiled.rules.length, webhookSources: compiled.webhookSources.map((s) => s.sourceId), generation };
  }

  async undeploy(id: string): Promise<void> {
    if (!(await this.store.deployment(id))) throw new FlowbridgeError('ERR_FLOW_NOT_DEPLOYED', `Flow "${id}" is not deployed`);
    await this.store.setDeployment(id, undefined);
    this.log.info({ flowId: id }, 'flow undeployed');
  }

  /** Nodes naming a connection that does not exist, or one of a kind their connector does not take. */
  private async connectionProblems(doc: FlowDocument): Promise<Problem[]> {
    if (!this.connections) return [];
    const problems: Problem[] = [];
    for (const [index, node] of doc.nodes.entries()) {
      if (typeof node.connection !== 'string') continue;
      const path = `nodes[${index}].connection`;
      let kind: string;
      try {
        kind = (await this.connections.get(node.connection)).kind;
      } catch {
        problems.push({ code: 'ERR_FLOW_NODE_CONFIG', path, message: `${path}: no connection has the id "${node.connection}"` });
        continue;
      }
      const accepted = this.catalog.get(node.type)?.connectionKinds ?? [];
      if (!accepted.includes(kind)) problems.push({ code: 'ERR_FLOW_NODE_CONFIG', path, message: `${path}: connection "${node.connection}" is of kind ${kind}; a "${node.type}" node takes ${accepted.join(', ') || 'none'}` });
    }
    return problems;
  }

  /**
   * Re-seals every flow's secrets (latest, saved versions and deployment) with the current
   * key, opening them with any loaded key; after a key rotation. Returns the flows changed.
   */
  async resealSecrets(): Promise<number> {
    let changed = 0;
    for (const summary of await this.store.list()) {
      const id = summary.id;
      const reseal = (doc: FlowDocument) => sealFlowSecrets(openFlowSecrets(doc, id, this.secretKeys), id, this.catalog, this.secretKeys);
      await this.store.rewrite(id, (f) => ({ ...f, doc: reseal(f.doc) }));
      const deployed = await this.store.deployment(id);
      if (deployed) {
        const version = (await this.store.versions(id)).find((v) => v.version === deployed.version);
        if (version) await this.store.setDeployment(id, compileFlow(version.doc, this.catalog, { flowId: id, version: version.version }, { validated: true }));
      }
      changed++;
    }
    this.log.info({ flows: changed }, 'flow secrets re-sealed with the current key');
    return changed;
  }

  /** Validation only: every problem, nothing stored (a document sent here carries its secrets in clear or masked). */
  validate(input: unknown): Problem[] {
    return validateFlow(input, this.catalog);
  }
}

/** Flow nodes that use each connection (for the connections API). */
export async function flowConnectionUsage(store: FlowStore): Promise<{ connectionId: string; flowId: string; nodeId: string }[]> {
  const out: { connectionId: string; flowId: string; nodeId: string }[] = [];
  for (const summary of await store.list()) {
    const flow = await store.get(summary.id);
    const doc = flow?.doc;
    // A connection is used by a node directly, and by delivery policies (signing secret, dead-letter alert target).
    const policies = (node: FlowNode | undefined) => [doc?.defaults?.delivery, node?.delivery];
    for (const node of doc?.nodes ?? []) {
      const ids = new Set<string>();
      if (typeof node.connection === 'string') ids.add(node.connection);
      for (const p of policies(node)) {
        if (typeof p?.signing?.connection === 'string') ids.add(p.signing.connection);
        if (typeof p?.deadLetterAlert?.connection === 'string') ids.add(p.deadLetterAlert.connection);
      }
      for (const id of ids) out.push({ connectionId: id, flowId: summary.id, nodeId: node.id });
    }
  }
  return out;
}
