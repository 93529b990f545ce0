/**
 * The executable form of a topology node inside one task: sources, processors and sinks share this
 * base so a parent forwards to its children through one call site, `child.process(record)`.
 */
import type { Record } from '../processor/record.ts';

/** A node of a task's processor graph. */
export abstract class RuntimeNode {
  /** Children in the order the topology lists them. */
  readonly children: RuntimeNode[] = [];

  constructor(readonly name: string) {}

  /** Receives one record from a parent (or, for a source, from the task). Synchronous. */
  abstract process(record: Record<unknown, unknown>): void;

  /** Called once before the first record. */
  init(): void {}

  /** Called once when the task closes. */
  close(): void {}

  /** The child of that name, or undefined. */
  child(name: string): RuntimeNode | undefined {
    for (const c of this.children) if (c.name === name) return c;
    return undefined;
  }
}
