/**
 * Errors of the Kafka-protocol broker: bytes that do not follow the wire format, API versions the broker
 * does not serve, and requests it refuses. Each names the API, version, field and byte position involved.
 */
import { TributaryError, type TributaryErrorOptions } from './tributary-error.ts';

/** Where a {@link ProtocolError} happened. Unknown parts are omitted. */
export interface ProtocolErrorLocation {
  /** Message name with its kind (`MetadataRequest`, `RequestHeader`). */
  readonly message?: string;
  readonly apiKey?: number;
  readonly apiVersion?: number;
  /** Dotted field path with array indexes (`topics[2].partitions[0].records`). */
  readonly fieldPath?: string;
  /** Byte position in the decoded buffer where the failing read started. */
  readonly position?: number;
}

/**
 * Bytes that do not follow the Kafka wire format (truncated, negative or impossible lengths, invalid
 * utf-8 length, a varint longer than 5 bytes), or a value that cannot be encoded. The broker answers
 * or closes the offending connection; other clients are not affected.
 *
 * @example
 * try { decodeMessage(spec, 7, frame); }
 * catch (e) { if (e instanceof ProtocolError) log.warn(e.message, e.fieldPath, e.position); }
 */
export class ProtocolError extends TributaryError {
  /** What was wrong, without the location. */
  readonly reason: string;
  readonly messageName: string | undefined;
  readonly apiKey: number | undefined;
  readonly apiVersion: number | undefined;
  readonly fieldPath: string | undefined;
  readonly position: number | undefined;
  constructor(reason: string, where: ProtocolErrorLocation = {}, options?: TributaryErrorOptions) {
    super('PROTOCOL', ProtocolError.format(reason, where), options);
    this.reason = reason;
    this.messageName = where.message;
    this.apiKey = where.apiKey;
    this.apiVersion = where.apiVersion;
    this.fieldPath = where.fieldPath;
    this.position = where.position;
  }

  /** The same failure with more location filled in (outer parts of the path prepended). */
  locatedAt(where: ProtocolErrorLocation): ProtocolError {
    return new ProtocolError(
      this.reason,
      {
        message: where.message ?? this.messageName,
        apiKey: where.apiKey ?? this.apiKey,
        apiVersion: where.apiVersion ?? this.apiVersion,
        fieldPath: joinPath(where.fieldPath, this.fieldPath),
        position: this.position ?? where.position,
      },
      this.cause === undefined ? undefined : { cause: this.cause },
    );
  }

  private static format(reason: string, where: ProtocolErrorLocation): string {
    let head = where.message ?? 'Kafka protocol';
    if (where.apiVersion !== undefined) head += ` v${where.apiVersion}`;
    if (where.apiKey !== undefined) head += ` (api key ${where.apiKey})`;
    const field = where.fieldPath === undefined || where.fieldPath === '' ? '' : ` field ${where.fieldPath}`;
    const at = where.position === undefined ? '' : ` at byte ${where.position}`;
    return `${head}:${field}${at}: ${reason}`;
  }
}

function joinPath(outer: string | undefined, inner: string | undefined): string | undefined {
  if (outer === undefined || outer === '') return inner;
  if (inner === undefined || inner === '') return outer;
  return inner.startsWith('[') ? outer + inner : `${outer}.${inner}`;
}

/**
 * A request with an API key the broker does not know, or a version of a known API it does not serve.
 * Known APIs are answered with Kafka error 35 (UNSUPPORTED_VERSION).
 *
 * @example
 * throw new UnsupportedVersionError(0, 2, [3, 9]); // Produce v2 is not served (3-9)
 */
export class UnsupportedVersionError extends TributaryError {
  readonly apiKey: number;
  readonly apiVersion: number;
  /** The served [min, max], or null when the API key is unknown. */
  readonly supported: readonly [number, number] | null;
  constructor(apiKey: number, apiVersion: number, supported: readonly [number, number] | null) {
    super(
      'UNSUPPORTED_VERSION',
      supported === null
        ? `Unknown API key ${apiKey} (version ${apiVersion})`
        : `API key ${apiKey} version ${apiVersion} is not served (versions ${supported[0]}-${supported[1]})`,
    );
    this.apiKey = apiKey;
    this.apiVersion = apiVersion;
    this.supported = supported;
  }
}

/**
 * A request that decodes but cannot be served as asked (a frame larger than `socket.request.max.bytes`,
 * contradictory fields). Kafka error 42 (INVALID_REQUEST).
 *
 * @example
 * throw new InvalidRequestError('Frame of 200000000 bytes exceeds socket.request.max.bytes 104857600 (from 127.0.0.1:5123)');
 */
export class InvalidRequestError extends TributaryError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super('INVALID_REQUEST', message, options);
  }
}
