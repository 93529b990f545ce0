/**
 * The loop behind `consumer.run()`: rebalance when the group asks, fetch from every assigned and
 * unpaused partition, hand the messages to `eachMessage` / `eachBatch`, commit, and otherwise wait —
 * woken by the append itself (through the {@link AppendNotifier}), by a seek, resume or rebalance, or
 * after `maxWaitTimeInMs`. There is no polling: an idle consumer costs one timer per `maxWaitTimeInMs`.
 *
 * Rebalance (eager, as Kafka's classic protocol):
 * 1. stop fetching (the current message finishes; the rest of its batch is dropped and refetched),
 * 2. commit the processed offsets (autoCommit) while the old generation is still accepted,
 * 3. emit `consumer.rebalancing`, await `onPartitionsRevoked(old assignment)`,
 * 4. join + sync (the leader runs the assignor), restart heartbeats,
 * 5. position every new partition: committed offset, else a pending seek, else `autoOffsetReset`,
 * 6. emit `consumer.group_join`, await `onPartitionsAssigned(new assignment)`.
 *
 * Besides the group's own rebalances, the member rejoins when the metadata of its subscription changes
 * (a topic created that matches a pattern, a topic deleted, partitions added), checked at most once per
 * `maxWaitTimeInMs`, as a Kafka consumer does on a metadata refresh.
 */
import type { ConsumerRunConfig, TopicPartitions } from '../log-client.ts';
import { ConsumerEvents } from '../log-client.ts';
import type { OffsetCommit } from '../../log/offset-store.ts';
import type { PartitionLogApi } from '../../log/log-contracts.ts';
import { groupByTopic } from '../../log/assignors/partition-assignor.ts';
import { AssignedPartition } from './assigned-partition.ts';
import { ConsumerGroupMember, isRejoinError } from './consumer-group-member.ts';
import { PartitionProcessor } from './partition-processor.ts';
import { PartitionPositioner } from './partition-positioner.ts';
import { EmbeddedBatch } from './embedded-batch.ts';
import { decodeKafkaMessages } from './kafka-message-decoder.ts';
import { AbortedTransactionFilter } from './aborted-transaction-filter.ts';
import type { EmbeddedKafkaMessage } from './embedded-kafka-message.ts';
import type { WaitTarget } from './append-notifier.ts';
import { WakeSignal } from './wake-signal.ts';
import type { ConsumerHost } from './consumer-host.ts';
import { ClosedError, OffsetOutOfRangeError, UnknownTopicOrPartitionError } from '../../errors/log-errors.ts';

const READ_COMMITTED = { isolation: 'read_committed' } as const;
const READ_UNCOMMITTED = { isolation: 'read_uncommitted' } as const;

/**
 * Runs one `consumer.run()` until stopped or crashed.
 *
 * @example
 * const runner = new ConsumerRunner(host, member, config);
 * await runner.start(); // resolves after the first join; the loop keeps running
 * await runner.stop();
 */
export class ConsumerRunner {
  /** Assigned partitions by `topic\0partition`. */
  readonly assigned = new Map<string, AssignedPartition>();
  readonly signal = new WakeSignal();
  running = false;
  private hung = false;
  private releaseHang: () => void = () => undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private lastCommitAt = 0;
  private metadataAtJoin = '';
  private nextMetadataCheck = 0;
  private fetchStart = 0;
  private readonly processor: PartitionProcessor;
  private readonly positioner: PartitionPositioner;

  constructor(
    private readonly host: ConsumerHost,
    readonly member: ConsumerGroupMember,
    readonly config: ConsumerRunConfig,
  ) {
    this.processor = new PartitionProcessor(host, this, config);
    this.positioner = new PartitionPositioner(host);
  }

  /** Joins the group and positions the assigned partitions, then starts the loop in the background. */
  async start(): Promise<void> {
    this.running = true;
    this.lastCommitAt = this.host.ctx.clock.now();
    await this.rebalance(false);
    this.loopDone = this.loop();
  }

  /**
   * Stops the loop after the current message, commits processed offsets (autoCommit), calls
   * `onPartitionsRevoked` and leaves the group. A hung runner (test hook) leaves nothing behind cleanly:
   * it neither commits nor leaves, like a process that died.
   */
  async stop(): Promise<void> {
    if (!this.running) return this.loopDone;
    this.running = false;
    this.signal.wake();
    this.releaseHang();
    if (this.member.isJoining) this.member.leave();
    await this.loopDone;
    if (this.hung) {
      this.member.stopHeartbeats();
      return;
    }
    if (this.assigned.size > 0) {
      await this.autoCommit();
      await this.revoke();
    }
    this.member.leave();
  }

  /** Test hook: stop heartbeating and fetching without leaving the group, as a hung process would. */
  hang(): void {
    this.hung = true;
    this.member.stopHeartbeats();
    this.signal.wake();
  }

  /** Whether the loop should stop delivering the current batch. */
  shouldInterrupt(): boolean {
    return !this.running || this.hung || this.member.rejoinNeeded;
  }

  /** Sets a partition's position (seek), marking in-flight batches of it stale. */
  seek(p: AssignedPartition, offset: number): void {
    p.position = offset;
    p.uncommitted = 0;
    p.seekEpoch++;
    this.signal.wake();
  }

  /** Commits the processed offsets of every assigned partition that moved since the last commit. */
  async commitProcessed(): Promise<void> {
    const offsets: OffsetCommit[] = [];
    const committed: AssignedPartition[] = [];
    for (const p of this.assigned.values()) {
      if (!p.dirty) continue;
      offsets.push({ topic: p.topic, partition: p.partition, offset: p.position, metadata: null });
      committed.push(p);
    }
    this.lastCommitAt = this.host.ctx.clock.now();
    if (offsets.length === 0) return;
    await this.member.commit(offsets);
    for (let i = 0; i < committed.length; i++) {
      committed[i]!.committed = offsets[i]!.offset;
      committed[i]!.uncommitted = 0;
    }
    this.host.emitter.emit(ConsumerEvents.COMMIT_OFFSETS, {
      groupId: this.host.groupId,
      memberId: this.member.memberId,
      groupGenerationId: this.member.generationId,
      topics: groupOffsets(offsets),
    });
  }

  /** Commits when autoCommit is on; a rejected commit (the group moved on) is logged, not thrown. */
  async autoCommit(): Promise<void> {
    if (this.config.autoCommit === false) return;
    try {
      await this.commitProcessed();
    } catch (error) {
      if (!isRejoinError(error)) throw error;
      this.host.ctx.logger.warn(`Group "${this.host.groupId}": offset commit rejected, rejoining: ${(error as Error).message}`);
    }
  }

  /** Commits if `autoCommitInterval` passed or `autoCommitThreshold` messages were resolved. */
  async autoCommitIfNecessary(): Promise<void> {
    if (this.config.autoCommit === false) return;
    const interval = this.config.autoCommitInterval;
    const threshold = this.config.autoCommitThreshold;
    let due = interval != null && this.host.ctx.clock.now() >= this.lastCommitAt + interval;
    if (!due && threshold != null) {
      let count = 0;
      for (const p of this.assigned.values()) count += p.uncommitted;
      due = count >= threshold;
    }
    if (due) await this.autoCommit();
  }

  /** The assignment as topic-partition lists. */
  assignment(): TopicPartitions[] {
    return groupByTopic(this.assigned.values());
  }

  private async loop(): Promise<void> {
    let deadline = -1;
    try {
      while (this.running) {
        if (this.hung) {
          await new Promise<void>((resolve) => (this.releaseHang = resolve));
          continue;
        }
        if (this.member.rejoinNeeded) {
          await this.rebalance(true);
          continue;
        }
        const now = this.host.ctx.clock.now();
        if (now >= this.nextMetadataCheck && (await this.metadataChanged())) {
          this.member.requestRejoin();
          continue;
        }
        if (deadline < 0) deadline = now + this.host.options.maxWaitTimeInMs;
        const batches = this.fetch();
        const bytes = batches.bytes;
        if (bytes === 0 || (bytes < this.host.options.minBytes && now < deadline)) {
          if (now >= deadline) {
            deadline = -1;
            continue;
          }
          await this.host.notifier.waitForAny(this.waitTargets(bytes > 0), deadline - now, this.signal);
          continue;
        }
        deadline = -1;
        await this.processor.process(batches.list);
        if (this.running && !this.hung) await this.autoCommit();
      }
    } catch (error) {
      if (!this.running) return;
      this.running = false;
      this.member.stopHeartbeats();
      await this.host.crash(error);
    }
  }

  /** Reads every assigned, unpaused partition with data beyond its position. */
  private fetch(): { list: EmbeddedBatch[]; bytes: number } {
    const { maxBytesPerPartition, maxBytes, readCommitted } = this.host.options;
    const list: EmbeddedBatch[] = [];
    let bytes = 0;
    this.fetchStart = this.host.ctx.clock.now();
    for (const p of this.assigned.values()) {
      if (bytes >= maxBytes) break;
      if (this.host.isPaused(p.topic, p.partition)) continue;
      const log = this.logOf(p);
      if (log === null || p.position >= (readCommitted ? log.lastStableOffset : log.highWatermark)) continue;
      let read;
      try {
        read = log.read(p.position, Math.min(maxBytesPerPartition, maxBytes - bytes), readCommitted ? READ_COMMITTED : READ_UNCOMMITTED);
      } catch (error) {
        if (error instanceof ClosedError) {
          // The topic was deleted (or the log is closing): forget the log and look at the metadata again.
          p.log = null;
          this.nextMetadataCheck = 0;
          continue;
        }
        if (!(error instanceof OffsetOutOfRangeError)) throw error;
        this.seek(p, this.positioner.outOfRange(p, log));
        continue;
      }
      const messages: EmbeddedKafkaMessage[] = [];
      const aborted = readCommitted ? new AbortedTransactionFilter(log.abortedTransactions(p.position, read.lastStableOffset)) : null;
      const next = decodeKafkaMessages(read.records, p.position, messages, `fetch ${p.name} at offset ${p.position}`, aborted);
      bytes += read.records.length;
      const reachable = readCommitted ? read.lastStableOffset : read.highWatermark;
      list.push(new EmbeddedBatch(p.topic, p.partition, reachable, messages, p.position, next));
    }
    // Rotate so the partition read first this time is read last next time (fairness under maxBytes).
    if (list.length > 0 && this.assigned.size > 1) {
      const first = list[0]!;
      const key = `${first.topic}\u0000${first.partition}`;
      const p = this.assigned.get(key)!;
      this.assigned.delete(key);
      this.assigned.set(key, p);
    }
    if (list.length > 0) {
      this.host.emitter.emit(ConsumerEvents.FETCH, {
        numberOfBatches: list.length,
        duration: this.host.ctx.clock.now() - this.fetchStart,
        nodeId: 0,
      });
    }
    return { list, bytes };
  }

  private waitTargets(beyondHighWatermark: boolean): WaitTarget[] {
    const targets: WaitTarget[] = [];
    const readCommitted = this.host.options.readCommitted;
    for (const p of this.assigned.values()) {
      if (this.host.isPaused(p.topic, p.partition)) continue;
      const log = this.logOf(p);
      if (log === null) continue;
      // read_committed at the last stable offset: what lies beyond is an open transaction; its marker is an append.
      const held = readCommitted && p.position >= log.lastStableOffset;
      targets.push({ log, offset: beyondHighWatermark || held ? Math.max(p.position, log.highWatermark) : p.position });
    }
    return targets;
  }

  /**
   * Whether a subscribed topic appeared, disappeared or changed its partition count since the last join
   * (checked at most once per `maxWaitTimeInMs`); the member then rejoins so the leader reassigns, as a
   * Kafka consumer does on a metadata change.
   */
  private async metadataChanged(): Promise<boolean> {
    this.nextMetadataCheck = this.host.ctx.clock.now() + this.host.options.maxWaitTimeInMs;
    return (await this.metadataKey()) !== this.metadataAtJoin;
  }

  private async metadataKey(): Promise<string> {
    const topics = await this.host.subscribedTopics();
    return topics.map((topic) => `${topic}:${this.host.ctx.logManager.describeTopic(topic)?.numPartitions ?? -1}`).join(',');
  }

  private logOf(p: AssignedPartition): PartitionLogApi | null {
    if (p.log !== null) return p.log;
    try {
      p.log = this.host.ctx.logManager.partition(p.topic, p.partition);
    } catch (error) {
      if (!(error instanceof UnknownTopicOrPartitionError)) throw error;
    }
    return p.log;
  }

  /** Revokes the current assignment: `onPartitionsRevoked`, then forgets the partitions. */
  private async revoke(): Promise<void> {
    const old = this.assignment();
    this.assigned.clear();
    if (old.length > 0) await this.host.options.onPartitionsRevoked?.(old);
  }

  /** The numbered steps in the file comment. */
  private async rebalance(revokeFirst: boolean): Promise<void> {
    const host = this.host;
    const owned = this.assignment();
    if (revokeFirst) {
      await this.autoCommit();
      host.emitter.emit(ConsumerEvents.REBALANCING, { groupId: host.groupId, memberId: this.member.memberId });
      await this.revoke();
    }
    const topics = await host.subscribedTopics();
    this.metadataAtJoin = await this.metadataKey();
    this.nextMetadataCheck = host.ctx.clock.now() + host.options.maxWaitTimeInMs;
    let joined;
    try {
      joined = await this.member.join(topics, owned, () => this.running);
    } catch (error) {
      if (!this.running) return; // stop() left the group while the join was waiting
      throw error;
    }
    if (!this.running) return;
    this.member.startHeartbeats();
    this.assigned.clear();
    for (const { topic, partitions } of joined.assignment) {
      for (const partition of partitions) {
        let log: PartitionLogApi | null = null;
        try {
          log = host.ctx.logManager.partition(topic, partition);
        } catch (error) {
          if (!(error instanceof UnknownTopicOrPartitionError)) throw error;
        }
        this.assigned.set(`${topic}\u0000${partition}`, new AssignedPartition(topic, partition, log));
      }
    }
    this.positioner.position([...this.assigned.values()]);
    const assignment = this.assignment();
    const memberAssignment: Record<string, number[]> = {};
    for (const { topic, partitions } of assignment) memberAssignment[topic] = [...partitions];
    host.emitter.emit(ConsumerEvents.GROUP_JOIN, {
      duration: joined.durationMs,
      groupId: host.groupId,
      isLeader: joined.isLeader,
      leaderId: joined.leaderId,
      groupProtocol: joined.protocol,
      memberId: joined.memberId,
      memberAssignment,
    });
    await host.options.onPartitionsAssigned?.(assignment);
  }
}

function groupOffsets(offsets: readonly OffsetCommit[]): { topic: string; partitions: { partition: number; offset: string }[] }[] {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const o of offsets) {
    let list = byTopic.get(o.topic);
    if (list === undefined) byTopic.set(o.topic, (list = []));
    list.push({ partition: o.partition, offset: String(o.offset) });
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}
