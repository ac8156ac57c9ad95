/**
 * Renders a machine's definition as a Mermaid state diagram. Generated from the definition itself, so the
 * README's copy can be checked for staleness by a test.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

interface TransitionLike {
  eventType: string;
  target?: readonly AnyStateNode[];
  guard?: unknown;
  reenter?: boolean;
}

/** Mermaid `stateDiagram-v2` text for `machine`, parallel regions separated with `--`. */
export function toMermaid(machine: AnyStateMachine): string {
  const lines = ['stateDiagram-v2'];
  renderChildren(machine.root, lines, '  ');
  return `${lines.join('\n')}\n`;
}

function renderChildren(node: AnyStateNode, lines: string[], indent: string): void {
  const children = Object.values(node.states) as AnyStateNode[];
  children.forEach((child, i) => {
    if (node.type === 'parallel' && i > 0) lines.push(`${indent}--`);
    renderNode(child, lines, indent);
  });
}

function renderNode(node: AnyStateNode, lines: string[], indent: string): void {
  const name = node.key;
  const children = Object.values(node.states) as AnyStateNode[];
  if (children.length > 0) {
    lines.push(`${indent}state ${name} {`);
    if (node.type !== 'parallel' && node.initial?.target?.[0]) {
      lines.push(`${indent}  [*] --> ${node.initial.target[0].key}`);
    }
    renderChildren(node, lines, `${indent}  `);
    lines.push(`${indent}}`);
    return;
  }
  const transitions: TransitionLike[] = [
    ...(node.always ?? []),
    ...[...node.transitions.values()].flat(),
  ] as TransitionLike[];
  for (const t of transitions) {
    const target = t.target?.[0];
    // A targetless transition only updates context; a self-target that re-enters (the next failback
    // step) is a real move and is drawn.
    if (!target || (target === node && !t.reenter)) continue;
    const event = t.eventType === '' ? 'always' : t.eventType;
    const guard = describeGuard(t.guard);
    lines.push(`${indent}${name} --> ${target.key} : ${event}${guard ? ` [${guard}]` : ''}`);
  }
}

/** A readable name for a guard: named guards by name, `and`/`or`/`not` spelled out, `stateIn` as `region.state`. */
export function describeGuard(guard: unknown): string {
  if (guard === undefined || guard === null) return '';
  if (typeof guard === 'string') return guard;
  // Higher-order guards are functions carrying their parts; named guards are `{ type, params }` objects.
  const g = guard as { name?: string; type?: string; guards?: unknown[]; stateValue?: unknown };
  if (typeof guard === 'function' && Array.isArray(g.guards)) {
    const parts = g.guards.map(describeGuard).filter(Boolean);
    if (g.name === 'not') return `not ${parts[0] ?? ''}`;
    if (g.name === 'or') return parts.join(' or ');
    // An `or` inside an `and` is bracketed, or `a and b or c` would read either way.
    return parts.map((p) => (p.includes(' or ') ? `(${p})` : p)).join(' and ');
  }
  if (typeof guard === 'function' && g.stateValue !== undefined) return `in ${stateValueText(g.stateValue)}`;
  return g.type ?? g.name ?? '';
}

function stateValueText(value: unknown): string {
  if (typeof value === 'string') return value;
  return Object.entries(value as Record<string, unknown>)
    .map(([region, child]) => `${region}.${stateValueText(child)}`)
    .join(', ');
}
