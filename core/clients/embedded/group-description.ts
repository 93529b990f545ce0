/** Converts the coordinator's group description into kafkajs's `GroupDescription` shape. */
import type { GroupDescription as CoordinatorGroupDescription } from '../../log/group-coordinator.ts';
import type { GroupDescription } from '../log-client.ts';

/**
 * The kafkajs shape of a described group (the embedded log has no client hosts: `clientHost` is
 * `'embedded'`).
 *
 * @example
 * toGroupDescription(coordinator.describeGroup('billing')).state; // 'Stable'
 */
export function toGroupDescription(d: CoordinatorGroupDescription): GroupDescription {
  return {
    groupId: d.groupId,
    state: d.state,
    protocol: d.protocol,
    protocolType: d.protocolType,
    members: d.members.map((m) => ({
      clientHost: 'embedded',
      clientId: m.clientId,
      memberId: m.memberId,
      memberAssignment: m.memberAssignment,
      memberMetadata: m.memberMetadata,
    })),
  };
}
