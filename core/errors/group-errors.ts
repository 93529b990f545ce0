import { TributaryError } from './tributary-error.ts';

/** The member id is not (or no longer) part of the group: rejoin with an empty member id. */
export class UnknownMemberIdError extends TributaryError {
  constructor(groupId: string, memberId: string) {
    super('UNKNOWN_MEMBER_ID', `Member "${memberId}" is not in group "${groupId}"`, { retriable: true });
  }
}

/** The generation is stale: the group rebalanced since; rejoin. */
export class IllegalGenerationError extends TributaryError {
  constructor(groupId: string, generation: number, current: number) {
    super(
      'ILLEGAL_GENERATION',
      `Generation ${generation} of group "${groupId}" is stale (current ${current})`,
      { retriable: true },
    );
  }
}

/** The group is rebalancing; rejoin to take part. */
export class RebalanceInProgressError extends TributaryError {
  constructor(groupId: string) {
    super('REBALANCE_IN_PROGRESS', `Group "${groupId}" is rebalancing`, { retriable: true });
  }
}

/** The group still has members, so it cannot be deleted or reset. */
export class GroupNotEmptyError extends TributaryError {
  constructor(groupId: string) {
    super('GROUP_NOT_EMPTY', `Group "${groupId}" has active members`);
  }
}

/** The group does not exist. */
export class GroupIdNotFoundError extends TributaryError {
  constructor(groupId: string) {
    super('GROUP_ID_NOT_FOUND', `Group "${groupId}" does not exist`);
  }
}

/** A member asks for a protocol type or assignor that the rest of the group does not support. */
export class InconsistentGroupProtocolError extends TributaryError {
  constructor(groupId: string, detail: string) {
    super('INCONSISTENT_GROUP_PROTOCOL', `Group "${groupId}": ${detail}`);
  }
}

/** `auto.offset.reset` is `none` and the group has no committed offset for the partition. */
export class NoCommittedOffsetError extends TributaryError {
  constructor(groupId: string, topic: string, partition: number) {
    super(
      'NO_COMMITTED_OFFSET',
      `Group "${groupId}" has no committed offset for ${topic}-${partition} and fromBeginning/autoOffsetReset is "none"`,
    );
  }
}
