// Flux reconciles an object only after everything in its `dependsOn` is ready; kube-drift
// renders and reports groups in the same order.

export interface DependencyNode {
  /** `namespace/name`, unique among nodes of one kind. */
  id: string;
  dependsOn: string[];
}

export class DependencyCycleError extends Error {
  readonly cycle: string[];

  constructor(cycle: string[]) {
    super(`dependsOn cycle: ${cycle.join(' → ')}`);
    this.name = 'DependencyCycleError';
    this.cycle = cycle;
  }
}

/** Finds one cycle among `nodes` (following only edges to nodes in the list), or null. */
export function findCycle(nodes: DependencyNode[]): string[] | null {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    const seen = state.get(id);
    if (seen === 'done') return null;
    if (seen === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const node of nodes) {
    const cycle = visit(node.id);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * Orders nodes so that each comes after its dependencies, keeping the input order where
 * dependencies allow (stable). Dependencies on ids not in the list are ignored here; the
 * caller reports them. Throws DependencyCycleError naming the cycle.
 */
export function orderByDependsOn<T extends DependencyNode>(nodes: T[]): T[] {
  const ids = new Set(nodes.map((node) => node.id));
  const placed = new Set<string>();
  const ordered: T[] = [];
  let remaining = nodes;
  while (remaining.length > 0) {
    const next: T[] = [];
    let progressed = false;
    for (const node of remaining) {
      if (node.dependsOn.every((dep) => !ids.has(dep) || placed.has(dep) || dep === node.id)) {
        if (node.dependsOn.includes(node.id)) throw new DependencyCycleError([node.id, node.id]);
        ordered.push(node);
        placed.add(node.id);
        progressed = true;
      } else next.push(node);
    }
    if (!progressed) throw new DependencyCycleError(findCycle(next) ?? next.map((node) => node.id));
    remaining = next;
  }
  return ordered;
}
