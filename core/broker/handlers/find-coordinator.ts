/**
 * FindCoordinator (api key 10): this broker coordinates every consumer group (key type 0) and every
 * transactional id (key type 1). v4 batches keys (`coordinatorKeys`) and answers one entry per key.
 * Other key types (share groups) get COORDINATOR_NOT_AVAILABLE.
 */
import { defineHandler } from '../api-handler.ts';
import type { RequestContext } from '../broker-context.ts';
import { KAFKA_ERROR_CODES as E } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { FindCoordinator } from '../protocol/messages/find-coordinator.ts';

type FindCoordinatorRequest = ValueOf<typeof FindCoordinator.request>;
type FindCoordinatorResponse = InputOf<typeof FindCoordinator.response>;

const GROUP_KEY_TYPE = 0;
const TRANSACTION_KEY_TYPE = 1;
const BATCHED_VERSION = 4;

/** FindCoordinator: this broker, for groups and transactional ids. */
export const findCoordinatorHandler = defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: FindCoordinator.request.apiKey,
  handle(request, ctx) {
    const error =
      request.keyType === GROUP_KEY_TYPE || request.keyType === TRANSACTION_KEY_TYPE
        ? null
        : {
            code: E.COORDINATOR_NOT_AVAILABLE,
            message: `Key type ${request.keyType} is not supported: the broker coordinates consumer groups and transactional ids`,
          };
    return build(request, ctx, error);
  },
  errorResponse: (request, errorCode, ctx) => build(request, ctx, { code: errorCode, message: null }),
});

function build(
  request: FindCoordinatorRequest,
  ctx: RequestContext,
  error: { code: number; message: string | null } | null,
): FindCoordinatorResponse {
  const broker = ctx.broker;
  const nodeId = error === null ? broker.nodeId : -1;
  const host = error === null ? broker.advertisedHost : '';
  const port = error === null ? broker.advertisedPort : -1;
  const errorCode = error?.code ?? E.NONE;
  const errorMessage = error?.message ?? null;
  if (ctx.apiVersion >= BATCHED_VERSION) {
    return {
      throttleTimeMs: 0,
      coordinators: request.coordinatorKeys.map((key) => ({ key, nodeId, host, port, errorCode, errorMessage })),
    };
  }
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId, host, port };
}
