/** Graph helpers over tasks and their upstream lists: cycles, a topological order, downstream and ancestors. */

export interface GraphNode {
  id: string;
  upstream: readonly string[];
}

function downstreamMap(nodes: readonly GraphNode[]): Map<string, string[]> {
  const down = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const n of nodes) for (const u of n.upstream) down.get(u)?.push(n.id);
  return down;
}

/** A cycle as task ids in run order, the first repeated at the end (["a", "b", "a"]), or undefined. */
export function findCycle(nodes: readonly GraphNode[]): string[] | undefined {
  const down = downstreamMap(nodes);
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, "open");
    stack.push(id);
    for (const next of down.get(id) ?? []) {
      if (state.get(next) === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const n of nodes) {
    if (state.has(n.id)) continue;
    const found = visit(n.id);
    if (found) return found;
  }
  return undefined;
}

/** Task ids, each after its upstream tasks; ties keep definition order. Assumes no cycle. */
export function topologicalOrder(nodes: readonly GraphNode[]): string[] {
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < nodes.length) {
    const next = nodes.find((n) => !done.has(n.id) && n.upstream.every((u) => done.has(u)));
    if (!next) break;
    done.add(next.id);
    order.push(next.id);
  }
  return order;
}

/** `ids` and every task downstream of them, directly or not. */
export function downstreamOf(nodes: readonly GraphNode[], ids: readonly string[]): Set<string> {
  const down = downstreamMap(nodes);
  const out = new Set<string>();
  const todo = [...ids];
  while (todo.length) {
    const id = todo.pop() as string;
    if (out.has(id)) continue;
    out.add(id);
    todo.push(...(down.get(id) ?? []));
  }
  return out;
}

/** Every task upstream of `id`, directly or not (not `id` itself). */
export function ancestorsOf(nodes: readonly GraphNode[], id: string): Set<string> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Set<string>();
  const todo = [...(byId.get(id)?.upstream ?? [])];
  while (todo.length) {
    const u = todo.pop() as string;
    if (out.has(u)) continue;
    out.add(u);
    todo.push(...(byId.get(u)?.upstream ?? []));
  }
  return out;
}

/** Tasks no other task waits for. */
export function leavesOf(nodes: readonly GraphNode[]): string[] {
  const hasDownstream = new Set(nodes.flatMap((n) => n.upstream));
  return nodes.filter((n) => !hasDownstream.has(n.id)).map((n) => n.id);
}

/**
 * The tasks whose states decide the run's state: the leaves, where a teardown leaf stands for its
 * upstream tasks (Airflow 2.7: teardowns do not make a failed run look successful). A DAG of
 * teardowns only falls back to its leaves.
 */
export function decidingTasks(nodes: readonly (GraphNode & { teardown?: boolean })[]): string[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Set<string>();
  const visit = (id: string, seen: Set<string>) => {
    const n = byId.get(id);
    if (!n || seen.has(id)) return;
    seen.add(id);
    if (!n.teardown) out.add(id);
    else for (const u of n.upstream) visit(u, seen);
  };
  const seen = new Set<string>();
  for (const leaf of leavesOf(nodes)) visit(leaf, seen);
  return out.size > 0 ? [...out] : leavesOf(nodes);
}
