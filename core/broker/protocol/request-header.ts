/**
 * Request and response headers.
 *
 *   Request header v1: apiKey int16, apiVersion int16, correlationId int32, clientId nullable string
 *   Request header v2: v1 + tag buffer. The clientId stays an int16-length string even in v2.
 *   Response header v0: correlationId int32. Response header v1: v0 + tag buffer.
 *
 * Flexible request versions use request header v2 and response header v1; ApiVersions responses always
 * use response header v0, so a client that does not yet know the broker's versions can read them.
 */
import { ProtocolError } from '../../errors/broker-errors.ts';
import { apiSpec, API_KEYS } from './api-registry.ts';
import { inVersionRange, type UnknownTaggedField } from './message-spec.ts';
import { Reader } from './reader.ts';
import type { Writer } from './writer.ts';

/** A decoded request header. */
export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Tagged fields of a v2 header (none are defined; kept and ignored). */
  _unknownTaggedFields?: UnknownTaggedField[];
}

/**
 * The request header version of `apiKey` at `apiVersion`: 2 for flexible versions, else 1. Versions above
 * the described ones follow the flexible range (Kafka's flexible ranges are open-ended), so an ApiVersions
 * v4 request is read with header v2. Unknown API keys use v1.
 */
export function requestHeaderVersion(apiKey: number, apiVersion: number): 1 | 2 {
  const spec = apiSpec(apiKey);
  if (spec === undefined) return 1;
  return inVersionRange(spec.request.flexibleVersions, apiVersion) ? 2 : 1;
}

/** The response header version: 1 for flexible versions, else 0; always 0 for ApiVersions. */
export function responseHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 {
  if (apiKey === API_KEYS.ApiVersions) return 0;
  const spec = apiSpec(apiKey);
  if (spec === undefined) return 0;
  return inVersionRange(spec.response.flexibleVersions, apiVersion) ? 1 : 0;
}

/**
 * Decodes a request header at `offset` of a frame (the frame without its 4-byte size).
 *
 * @returns the header and the bytes it took; the body follows
 * @throws ProtocolError for a truncated header or an invalid clientId / tag buffer
 * @example
 * const { header, bytesRead } = decodeRequestHeader(frame);
 * const { value } = decodeMessage(apiSpec(header.apiKey)!.request, header.apiVersion, frame, bytesRead);
 */
export function decodeRequestHeader(buf: Buffer, offset = 0): { header: RequestHeader; bytesRead: number } {
  const r = new Reader(buf, offset, buf.length);
  let field = 'apiKey';
  try {
    const apiKey = r.int16();
    field = 'apiVersion';
    const apiVersion = r.int16();
    field = 'correlationId';
    const correlationId = r.int32();
    field = 'clientId';
    const clientId = r.string();
    const header: RequestHeader = { apiKey, apiVersion, correlationId, clientId };
    if (requestHeaderVersion(apiKey, apiVersion) === 2) {
      field = '_tagBuffer';
      const count = r.uvarint();
      for (let i = 0; i < count; i++) {
        const tag = r.uvarint();
        const size = r.uvarint();
        r.need(size);
        (header._unknownTaggedFields ??= []).push({ tag, data: buf.subarray(r.pos, r.pos + size) });
        r.pos += size;
      }
    }
    return { header, bytesRead: r.pos - offset };
  } catch (e) {
    if (e instanceof ProtocolError) throw e.locatedAt({ message: 'RequestHeader', fieldPath: field });
    throw e;
  }
}

/** Encodes a request header (clients and tests). */
export function encodeRequestHeader(w: Writer, header: RequestHeader): void {
  w.int16(header.apiKey);
  w.int16(header.apiVersion);
  w.int32(header.correlationId);
  w.string(header.clientId);
  if (requestHeaderVersion(header.apiKey, header.apiVersion) === 2) w.uvarint(0);
}

/** Encodes a response header of `version` (0: correlation id; 1: + empty tag buffer). */
export function encodeResponseHeader(w: Writer, version: 0 | 1, correlationId: number): void {
  w.int32(correlationId);
  if (version === 1) w.uvarint(0);
}

/**
 * Decodes a response header (clients and tests).
 *
 * @throws ProtocolError when truncated
 */
export function decodeResponseHeader(buf: Buffer, version: 0 | 1, offset = 0): { correlationId: number; bytesRead: number } {
  const r = new Reader(buf, offset, buf.length);
  try {
    const correlationId = r.int32();
    if (version === 1) {
      const count = r.uvarint();
      for (let i = 0; i < count; i++) {
        r.uvarint();
        const size = r.uvarint();
        r.need(size);
        r.pos += size;
      }
    }
    return { correlationId, bytesRead: r.pos - offset };
  } catch (e) {
    if (e instanceof ProtocolError) throw e.locatedAt({ message: 'ResponseHeader' });
    throw e;
  }
}
