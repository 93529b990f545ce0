/**
 * Produce (api key 0): appends each partition's record batches to its {@link PartitionLog}, which
 * validates them (magic, CRC-32C, sizes, `max.message.bytes`, idempotent sequences) and stores them byte
 * for byte. Every append of the request starts before the first await, so pipelined Produce requests on
 * one connection are appended in arrival order. acks=0 gets no response; acks=1 and acks=-1 are answered
 * once every append is acknowledged by the log's flush policy (with `always`, after fsync).
 */
import { defineHandler, NO_RESPONSE, type ElementOf } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { Produce } from '../protocol/messages/produce.ts';
import type { AppendResult } from '../../log/log-contracts.ts';
import { InvalidRecordError } from '../../errors/log-errors.ts';

type ProduceRequest = ValueOf<typeof Produce.request>;
type ProduceResponse = InputOf<typeof Produce.response>;

interface PartitionOutcome {
  readonly index: number;
  readonly result: AppendResult | null;
  readonly error: unknown;
  readonly logStartOffset: number;
}

/** Produce: validated, byte-for-byte appends. */
export const produceHandler = defineHandler<ProduceRequest, ProduceResponse>({
  apiKey: Produce.request.apiKey,
  handle(request, ctx) {
    const acks = request.acks;
    if (acks !== 0 && acks !== 1 && acks !== -1) {
      return errorResponse(request, E.INVALID_REQUIRED_ACKS, `acks must be 0, 1 or -1, got ${acks}`);
    }
    const pending = request.topicData.map((topic) => ({
      name: topic.name,
      partitions: topic.partitionData.map((p) => appendPartition(ctx, topic.name, p.index, p.records)),
    }));
    if (acks === 0) {
      for (const topic of pending) for (const p of topic.partitions) void p.then((o) => logAcksZeroFailure(ctx, topic.name, o));
      return NO_RESPONSE;
    }
    return Promise.all(pending.map(async (topic) => ({ name: topic.name, outcomes: await Promise.all(topic.partitions) }))).then(
      (topics): ProduceResponse => ({
        responses: topics.map((topic) => ({
          name: topic.name,
          partitionResponses: topic.outcomes.map((o) => partitionResponse(o)),
        })),
        throttleTimeMs: 0,
      }),
    );
  },
  errorResponse: (request, errorCode) => errorResponse(request, errorCode, null),
});

function appendPartition(ctx: RequestContext, topic: string, index: number, records: Buffer | null): Promise<PartitionOutcome> {
  let logStartOffset = -1;
  try {
    const log = ctx.broker.logManager.partition(topic, index);
    logStartOffset = log.logStartOffset;
    if (records === null || records.length === 0) {
      throw new InvalidRecordError(`produce to ${topic}-${index}: the request carries no record batch`);
    }
    return log.append(records).then(
      (result) => ({ index, result, error: null, logStartOffset: log.logStartOffset }),
      (error: unknown) => ({ index, result: null, error, logStartOffset }),
    );
  } catch (error) {
    return Promise.resolve({ index, result: null, error, logStartOffset });
  }
}

type PartitionResponse = ElementOf<ElementOf<ProduceResponse['responses']>['partitionResponses']>;

function partitionResponse(o: PartitionOutcome): PartitionResponse {
  if (o.result !== null) {
    return {
      index: o.index,
      errorCode: E.NONE,
      baseOffset: o.result.baseOffset,
      logAppendTimeMs: o.result.logAppendTime,
      logStartOffset: o.logStartOffset,
      recordErrors: [],
      errorMessage: null,
    };
  }
  return {
    index: o.index,
    errorCode: kafkaErrorCodeOf(o.error),
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: o.logStartOffset,
    recordErrors: [],
    errorMessage: (o.error as Error)?.message ?? String(o.error),
  };
}

function logAcksZeroFailure(ctx: RequestContext, topic: string, o: PartitionOutcome): void {
  if (o.error === null) return;
  ctx.broker.logger.warn(
    `Produce (acks=0) from ${ctx.clientAddress} to ${topic}-${o.index} failed: ${(o.error as Error)?.message ?? String(o.error)}`,
  );
}

function errorResponse(request: ProduceRequest, errorCode: number, message: string | null): ProduceResponse {
  return {
    responses: request.topicData.map((topic) => ({
      name: topic.name,
      partitionResponses: topic.partitionData.map((p) => ({
        index: p.index,
        errorCode,
        baseOffset: -1,
        logAppendTimeMs: -1,
        logStartOffset: -1,
        recordErrors: [],
        errorMessage: message,
      })),
    })),
    throttleTimeMs: 0,
  };
}
