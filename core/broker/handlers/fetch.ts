/**
 * Fetch (api key 1): serves whole record batches from the stored bytes ({@link PartitionLog.read}).
 * Long poll: when fewer than `minBytes` are available across the requested partitions, the request
 * waits up to `maxWaitMs`, woken by the next append to any of them (no polling). READ_UNCOMMITTED (0)
 * reads up to the high watermark; READ_COMMITTED (1) up to the last stable offset (the first offset of the
 * earliest open transaction), waits for it to move (a commit or abort marker), and gets the aborted
 * transactions overlapping the batches served, so the client drops their records. Both get the last
 * stable offset.
 * Each partition gets at most `partitionMaxBytes`, the response at most `maxBytes`, except that the first
 * partition with data always gets at least one whole batch. From v13 topics are named by topic id.
 * Fetch sessions (KIP-227) are not created: the response's session id 0 tells clients to send full fetches.
 * Batches are read into buffers of the broker's {@link ReadBufferPool}, given back once the response is
 * written, and their CRCs are not checked here (as in Kafka: clients check them; framing, sizes and magic
 * are checked). The log's recovery, cleaner and the embedded clients' reads still verify CRCs.
 */
import { defineHandler, type ElementOf } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { Fetch } from '../protocol/messages/fetch.ts';
import type { WaitTarget } from '../../clients/embedded/append-notifier.ts';
import type { AbortedTransaction, IsolationLevel, ReadOptions } from '../../log/log-contracts.ts';
import type { PartitionLog } from '../../log/partition-log.ts';
import { batchSizeAt, BatchField, RECORD_BATCH_OVERHEAD } from '../../log/record-batch.ts';
import { topicNamesById } from './topic-lookup.ts';
import { ReadLease } from '../read-buffer-pool.ts';

type FetchRequest = ValueOf<typeof Fetch.request>;
type FetchResponse = InputOf<typeof Fetch.response>;
type TopicResponse = ElementOf<FetchResponse['responses']>;
type PartitionResponse = ElementOf<TopicResponse['partitions']>;

/** First version that names topics by id. */
const TOPIC_ID_VERSION = 13;
const READ_COMMITTED = 1;
const EMPTY = Buffer.alloc(0);
const NO_ABORTED: AbortedTransaction[] = [];
const TWO_32 = 0x1_0000_0000;

interface Pass {
  readonly responses: TopicResponse[];
  readonly bytes: number;
  readonly failed: boolean;
  readonly targets: WaitTarget[];
}

/** Fetch: stored batches, long poll. */
export const fetchHandler = defineHandler<FetchRequest, FetchResponse>({
  apiKey: Fetch.request.apiKey,
  async handle(request, ctx) {
    if (request.sessionId !== 0) {
      return { throttleTimeMs: 0, errorCode: E.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
    }
    const clock = ctx.broker.clock;
    const deadline = clock.now() + Math.max(0, request.maxWaitMs);
    const lease = new ReadLease(ctx.broker.readBuffers);
    const options: ReadOptions = {
      isolation: request.isolationLevel === READ_COMMITTED ? 'read_committed' : 'read_uncommitted',
      verifyCrc: false,
      allocate: lease.allocate,
    };
    for (;;) {
      const pass = readOnce(request, ctx, options);
      const remaining = deadline - clock.now();
      if (pass.bytes >= request.minBytes || pass.failed || remaining <= 0 || pass.targets.length === 0) {
        if (lease.holdsBuffers) ctx.written = lease.release;
        return { throttleTimeMs: 0, errorCode: E.NONE, sessionId: 0, responses: pass.responses };
      }
      lease.release(); // this pass's reads are not sent
      await ctx.broker.notifier.waitForAny(pass.targets, remaining);
    }
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    errorCode,
    sessionId: 0,
    responses: request.topics.map((t) => ({
      topic: t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p) => errorPartition(p.partition, errorCode, -1, -1)),
    })),
  }),
});

function readOnce(request: FetchRequest, ctx: RequestContext, options: ReadOptions): Pass {
  const byId = ctx.apiVersion >= TOPIC_ID_VERSION ? topicNamesById(ctx.broker.logManager) : null;
  const logs = ctx.broker.logManager;
  let budget = request.maxBytes > 0 ? request.maxBytes : 0x7fff_ffff;
  let sent = 0;
  let available = 0;
  let failed = false;
  const targets: WaitTarget[] = [];
  const committed = request.isolationLevel === READ_COMMITTED;
  const isolation: IsolationLevel = committed ? 'read_committed' : 'read_uncommitted';
  const responses = request.topics.map((t): TopicResponse => {
    const name = byId === null ? t.topic : byId.get(t.topicId);
    const partitions = t.partitions.map((p): PartitionResponse => {
      if (name === undefined) {
        failed = true;
        return errorPartition(p.partition, E.UNKNOWN_TOPIC_ID, -1, -1);
      }
      let log: PartitionLog | undefined;
      try {
        log = logs.partition(name, p.partition);
        const limit = Math.min(p.partitionMaxBytes, budget);
        const read = log.read(p.fetchOffset, Math.max(1, limit), options);
        let records: Buffer = EMPTY;
        available += read.records.length;
        // The first partition with data gets at least one whole batch; later ones only what fits.
        if (read.records.length > 0 && limit > 0 && (sent === 0 || read.records.length <= limit)) {
          records = read.records;
          sent += records.length;
          budget -= records.length;
        }
        targets.push(
          committed
            ? { log, offset: Math.max(p.fetchOffset, read.lastStableOffset), isolation }
            : { log, offset: Math.max(p.fetchOffset, read.highWatermark) },
        );
        return {
          partitionIndex: p.partition,
          errorCode: E.NONE,
          highWatermark: read.highWatermark,
          lastStableOffset: read.lastStableOffset,
          logStartOffset: read.logStartOffset,
          abortedTransactions: committed ? abortedIn(log, p.fetchOffset, records) : null,
          preferredReadReplica: -1,
          records,
        };
      } catch (error) {
        failed = true;
        const code = kafkaErrorCodeOf(error);
        // A long poll that wakes while the broker shuts down finds the log closed: not worth an error line.
        if (code === E.UNKNOWN_SERVER_ERROR && (error as { code?: unknown }).code !== 'CLOSED') {
          ctx.broker.logger.error(`Fetch of ${name}-${p.partition} for ${ctx.clientAddress} failed`, { error });
        }
        // Clients reset their position from these on OFFSET_OUT_OF_RANGE (auto.offset.reset).
        const open = log?.isOpen === true;
        return errorPartition(p.partition, code, open ? log!.highWatermark : -1, open ? log!.logStartOffset : -1);
      }
    });
    return { topic: name ?? t.topic, topicId: t.topicId, partitions };
  });
  return { responses, bytes: available, failed, targets };
}

/** The aborted transactions overlapping the batches in `records`, read from `fetchOffset`. */
function abortedIn(log: PartitionLog, fetchOffset: number, records: Buffer): AbortedTransaction[] {
  if (records.length === 0) return NO_ABORTED;
  const end = offsetAfter(records);
  if (end <= fetchOffset) return NO_ABORTED;
  return log.abortedTransactions(fetchOffset, end);
}

/** The offset after the last complete batch in `records` (-1 when there is none). */
function offsetAfter(records: Buffer): number {
  let last = -1;
  for (let pos = 0; ; ) {
    const size = batchSizeAt(records, pos);
    if (size < RECORD_BATCH_OVERHEAD || pos + size > records.length) break;
    last = pos;
    pos += size;
  }
  if (last < 0) return -1;
  const base = records.readUInt32BE(last + BatchField.baseOffset) * TWO_32 + records.readUInt32BE(last + BatchField.baseOffset + 4);
  return base + records.readInt32BE(last + BatchField.lastOffsetDelta) + 1;
}

function errorPartition(partition: number, errorCode: number, highWatermark: number, logStartOffset: number): PartitionResponse {
  return {
    partitionIndex: partition,
    errorCode,
    highWatermark,
    lastStableOffset: highWatermark,
    logStartOffset,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: EMPTY,
  };
}
