/**
 * From a request frame to a response frame: decodes the request header and body with the protocol codec,
 * calls the API's handler and encodes its response (header v0 or v1, by API and version).
 *
 * What bad input gets (the connection logs each with the client address; other connections never notice):
 * - a header that cannot be decoded, an unknown API key, a body that cannot be decoded, a version the
 *   codec does not describe: the connection is closed (as Kafka does);
 * - ApiVersions in a version the broker does not serve: the v0 layout with UNSUPPORTED_VERSION (35) and
 *   the ApiVersions range only, so the client can retry with a version it finds there;
 * - another API in a version that is described (and perhaps advertised) but not served: the handler's
 *   error response with UNSUPPORTED_VERSION, in that version's layout;
 * - a handler failure: the handler's error response with the failure's Kafka error code.
 */
import { ProtocolError } from '../errors/broker-errors.ts';
import { NO_RESPONSE, type AnyApiHandler, type HandlerResult } from './api-handler.ts';
import type { BrokerContext, RequestContext } from './broker-context.ts';
import type { ConnectionInfo, DispatchOutcome, FrameDispatcher } from './connection.ts';
import { apiSpec, API_KEYS, isServedVersion } from './protocol/api-registry.ts';
import { decodeMessage } from './protocol/codec.ts';
import { KAFKA_ERROR_CODES as E, kafkaErrorCodeOf } from './protocol/error-codes.ts';
import { inVersionRange } from './protocol/message-spec.ts';
import { ApiVersions } from './protocol/messages/api-versions.ts';
import { decodeRequestHeader, type RequestHeader } from './protocol/request-header.ts';
import { encodeFrame, encodeResponseChunks } from './protocol/response-frame.ts';
import { apiVersionsRangeOnly } from './handlers/api-versions.ts';

const NONE: DispatchOutcome = { kind: 'none' };

/**
 * Serves request frames for every connection of one broker.
 *
 * @example
 * const dispatcher = new RequestDispatcher(context, BROKER_HANDLERS);
 * new BrokerConnection({ socket, dispatcher, logger, maxRequestBytes });
 */
export class RequestDispatcher implements FrameDispatcher {
  private readonly broker: BrokerContext;
  private readonly handlers: ReadonlyMap<number, AnyApiHandler>;

  constructor(broker: BrokerContext, handlers: ReadonlyMap<number, AnyApiHandler>) {
    this.broker = broker;
    this.handlers = handlers;
  }

  /**
   * Only Produce lets go of its frame when dispatch returns: its record batches are validated and
   * written to the log before the handler returns (PartitionLog.append keeps no reference to them), and
   * the rest of the request is decoded into numbers and strings. Every other request may keep views of
   * its bytes (group metadata and assignments, for one).
   */
  retainsFrame(frame: Buffer): boolean {
    return frame.length < 2 || frame.readInt16BE(0) !== API_KEYS.Produce;
  }

  dispatch(frame: Buffer, connection: ConnectionInfo): DispatchOutcome | Promise<DispatchOutcome> {
    let header: RequestHeader;
    let bodyOffset: number;
    try {
      const decoded = decodeRequestHeader(frame);
      header = decoded.header;
      bodyOffset = decoded.bytesRead;
    } catch (error) {
      return close(`malformed request header: ${describe(error)}`);
    }
    const { apiKey, apiVersion } = header;
    const spec = apiSpec(apiKey);
    const handler = this.handlers.get(apiKey);
    if (spec === undefined || handler === undefined) {
      return close(`unknown API key ${apiKey} (version ${apiVersion}, correlation id ${header.correlationId})`);
    }
    const ctx: RequestContext = {
      broker: this.broker,
      apiKey,
      apiVersion,
      correlationId: header.correlationId,
      clientId: header.clientId ?? '',
      clientAddress: connection.address,
      clientHost: `/${connection.host}`,
      written: null,
    };
    const served = isServedVersion(apiKey, apiVersion);
    if (!served && apiKey === API_KEYS.ApiVersions) {
      this.broker.logger.info(`ApiVersions v${apiVersion} from ${connection.address} is not served: answering with the v0 layout`);
      return respond(() =>
        encodeFrame(ApiVersions.response, 0, 0, header.correlationId, { errorCode: E.UNSUPPORTED_VERSION, apiKeys: apiVersionsRangeOnly() }),
      );
    }
    if (!inVersionRange(spec.request.validVersions, apiVersion)) {
      return close(`${spec.request.name} v${apiVersion} is not a version the broker knows`);
    }
    let request: unknown;
    try {
      const decoded = decodeMessage(spec.request, apiVersion, frame, bodyOffset);
      request = decoded.value;
      const trailing = frame.length - bodyOffset - decoded.bytesRead;
      if (trailing > 0) {
        this.broker.logger.debug(`${spec.request.name}Request v${apiVersion} from ${connection.address} has ${trailing} trailing bytes; ignored`);
      }
    } catch (error) {
      return close(`undecodable request: ${describe(error)}`);
    }
    if (!served) {
      this.broker.logger.info(`${spec.request.name} v${apiVersion} from ${connection.address} is advertised but not served: UNSUPPORTED_VERSION`);
      return this.encode(ctx, handler.errorResponse(request, E.UNSUPPORTED_VERSION, ctx));
    }
    let result: HandlerResult<object> | Promise<HandlerResult<object>>;
    try {
      result = handler.handle(request, ctx);
    } catch (error) {
      return this.failed(ctx, handler, request, error);
    }
    if (result instanceof Promise) {
      return result.then(
        (response) => this.encode(ctx, response),
        (error: unknown) => this.failed(ctx, handler, request, error),
      );
    }
    return this.encode(ctx, result);
  }

  private encode(ctx: RequestContext, response: HandlerResult<object>): DispatchOutcome {
    if (response === NO_RESPONSE) return NONE;
    return respond(() => encodeResponseChunks(ctx.apiKey, ctx.apiVersion, ctx.correlationId, response), ctx.written);
  }

  private failed(ctx: RequestContext, handler: AnyApiHandler, request: unknown, error: unknown): DispatchOutcome {
    const code = kafkaErrorCodeOf(error);
    this.broker.logger.error(
      `Handler of api key ${ctx.apiKey} v${ctx.apiVersion} failed for ${ctx.clientAddress} (Kafka error ${code}): ${describe(error)}`,
      { error },
    );
    try {
      return this.encode(ctx, handler.errorResponse(request, code, ctx));
    } catch (inner) {
      return close(`cannot build an error response: ${describe(inner)}`);
    }
  }
}

function respond(encode: () => Buffer | Buffer[], written: (() => void) | null = null): DispatchOutcome {
  try {
    const bytes = encode();
    const frame = Array.isArray(bytes) && bytes.length === 1 ? bytes[0]! : bytes;
    return written === null ? { kind: 'respond', bytes: frame } : { kind: 'respond', bytes: frame, written };
  } catch (error) {
    return close(`cannot encode the response: ${describe(error)}`);
  }
}

function close(reason: string): DispatchOutcome {
  return { kind: 'close', reason };
}

function describe(error: unknown): string {
  if (error instanceof ProtocolError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
