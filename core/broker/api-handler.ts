/**
 * The shape of one API's handler: it takes the decoded request body (field names in camelCase as in
 * Kafka's message schemas) and returns the response body the dispatcher encodes at the request's version.
 * Every handler also builds an error response for a request it will not serve (an advertised but
 * unserved version, or an unexpected failure), in the layout the client expects for that request.
 */
import type { RequestContext } from './broker-context.ts';

/** Returned by a handler when the request gets no response at all (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol('no response');

/** What a handler returns: the response body, or {@link NO_RESPONSE}. */
export type HandlerResult<Res> = Res | typeof NO_RESPONSE;

/** One API's handler, typed by its request and response bodies. */
export interface ApiHandler<Req, Res extends object> {
  /** Kafka's API key. */
  readonly apiKey: number;
  /**
   * Serves the request. Work that must happen in arrival order (appends) happens before the first await,
   * so pipelined requests on one connection take effect in order.
   */
  handle(request: Req, ctx: RequestContext): HandlerResult<Res> | Promise<HandlerResult<Res>>;
  /** The response that reports `errorCode` for everything the request asked. */
  errorResponse(request: Req, errorCode: number, ctx: RequestContext): Res;
}

/** A handler with its body types erased, as the dispatcher holds it. */
export interface AnyApiHandler {
  readonly apiKey: number;
  handle(request: unknown, ctx: RequestContext): HandlerResult<object> | Promise<HandlerResult<object>>;
  errorResponse(request: unknown, errorCode: number, ctx: RequestContext): object;
}

/**
 * Declares a handler with typed bodies and erases the types for the dispatcher's table.
 *
 * @example
 * export const heartbeatHandler = defineHandler<HeartbeatRequest, HeartbeatResponse>({
 *   apiKey: 12,
 *   handle: (req, ctx) => ({ throttleTimeMs: 0, errorCode: 0 }),
 *   errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
 * });
 */
export function defineHandler<Req, Res extends object>(handler: ApiHandler<Req, Res>): AnyApiHandler {
  return handler as unknown as AnyApiHandler;
}

/** The element type of an (optional, readonly) array type, for naming nested response structs. */
export type ElementOf<T> = NonNullable<T> extends readonly (infer U)[] ? U : never;
