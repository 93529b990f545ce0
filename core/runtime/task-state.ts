/**
 * The lifecycle of a {@link StreamTask} as a transition table (an illegal move throws).
 */

/**
 * Lifecycle of a task. `restoring`: stores open, changelogs being replayed, processors not yet
 * initialized, no records processed. `suspended`: revoked in a rebalance but kept (stores open,
 * processors initialized) in case the same task comes back; closed otherwise.
 */
export type TaskState = 'created' | 'restoring' | 'running' | 'suspended' | 'closed';

/** The moves allowed from each state. */
export const TASK_TRANSITIONS: { readonly [S in TaskState]: readonly TaskState[] } = {
  created: ['restoring', 'closed'],
  restoring: ['running', 'suspended', 'closed'],
  running: ['suspended', 'closed'],
  suspended: ['running', 'restoring', 'closed'],
  closed: [],
};
