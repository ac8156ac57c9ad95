/**
 * Cycles in a directed graph: the strongly connected components (Tarjan's algorithm), each with short
 * cycles through it, so that a failure message names paths a person can follow and cut.
 */

/** A directed graph: each node and the nodes it points to. Nodes that only appear as targets count too. */
export type Graph = ReadonlyMap<string, readonly string[]>;

/**
 * One cyclic component: all its nodes (sorted), and a shortest cycle through each of its edges (first node
 * repeated last; shortest first, without repeats), so every import that closes a loop is named.
 */
export interface Cycle {
  readonly members: readonly string[];
  readonly paths: ReadonlyArray<readonly string[]>;
}

function targetsOf(graph: Graph, node: string): readonly string[] {
  return graph.get(node) ?? [];
}

/** The strongly connected components that contain a cycle (two or more nodes, or one node importing itself). */
export function cyclicComponents(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;

  // Iterative, because a long import chain would overflow the call stack of a recursive version.
  const visit = (root: string): void => {
    const work: Array<{ node: string; edge: number }> = [{ node: root, edge: 0 }];
    index.set(root, next);
    lowLink.set(root, next);
    next += 1;
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = targetsOf(graph, frame.node);
      if (frame.edge < targets.length) {
        const target = targets[frame.edge]!;
        frame.edge += 1;
        if (!index.has(target)) {
          index.set(target, next);
          lowLink.set(target, next);
          next += 1;
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, edge: 0 });
        } else if (onStack.has(target)) {
          lowLink.set(frame.node, Math.min(lowLink.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) {
        lowLink.set(parent.node, Math.min(lowLink.get(parent.node)!, lowLink.get(frame.node)!));
      }
      if (lowLink.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = targetsOf(graph, frame.node).includes(frame.node);
        if (component.length > 1 || selfLoop) components.push(component.sort());
      }
    }
  };

  const nodes = new Set<string>(graph.keys());
  for (const targets of graph.values()) for (const target of targets) nodes.add(target);
  for (const node of [...nodes].sort()) if (!index.has(node)) visit(node);
  return components.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** A shortest path from `from` to `to` (both included), moving only between `members` (breadth-first). */
function shortestPath(graph: Graph, from: string, to: string, members: ReadonlySet<string>): string[] | undefined {
  const previous = new Map<string, string>([[from, from]]);
  const queue: string[] = [from];
  for (let head = 0; head < queue.length; head += 1) {
    const node = queue[head]!;
    if (node === to) {
      const path = [to];
      while (path[0] !== from) path.unshift(previous.get(path[0]!)!);
      return path;
    }
    for (const target of targetsOf(graph, node)) {
      if (members.has(target) && !previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return undefined;
}

/** The same cycle read from its smallest node, so rotations of one loop compare equal. */
function canonical(path: readonly string[]): string[] {
  const loop = path.slice(0, -1);
  const start = loop.indexOf([...loop].sort()[0]!);
  const rotated = [...loop.slice(start), ...loop.slice(0, start)];
  return [...rotated, rotated[0]!];
}

/**
 * Every cyclic component of `graph`, each with a shortest cycle through every one of its edges, without
 * repeats. Every edge inside a component lies on some cycle, so no import that has to go is left unnamed.
 */
export function findCycles(graph: Graph): Cycle[] {
  return cyclicComponents(graph).map((members) => {
    const inComponent = new Set(members);
    const paths = new Map<string, string[]>();
    for (const from of members) {
      for (const to of targetsOf(graph, from)) {
        if (!inComponent.has(to)) continue;
        // The edge from → to, then the shortest way back; a self-import is its own loop.
        const back = from === to ? [to] : shortestPath(graph, to, from, inComponent);
        if (back === undefined) continue;
        const path = canonical([from, ...back]);
        paths.set(path.join('\u0000'), path);
      }
    }
    return {
      members,
      paths: [...paths.values()].sort((a, b) => a.length - b.length || a.join().localeCompare(b.join())),
    };
  });
}
