/**
 * Whole response frames: 4-byte size, response header (v0 or v1 by API and version), body. The broker
 * writes the returned buffers to the socket as they are: {@link encodeResponseChunks} keeps large byte
 * strings (the stored record batches of a Fetch response) by reference instead of copying them into the
 * frame, so they go from the segment read straight into one vectored socket write.
 */
import { ProtocolError } from '../../errors/broker-errors.ts';
import { apiSpec } from './api-registry.ts';
import { encodeMessage } from './codec.ts';
import type { MessageSpec } from './message-spec.ts';
import { encodeResponseHeader, responseHeaderVersion } from './request-header.ts';
import { Writer } from './writer.ts';

/**
 * Encodes a size-prefixed response frame for `apiKey` at `apiVersion`.
 *
 * @param value the response body (fields missing = defaults)
 * @throws ProtocolError for an unknown API key or a value that cannot be encoded
 * @example
 * socket.write(encodeResponseFrame(API_KEYS.Heartbeat, 3, header.correlationId, { errorCode: 0 }));
 */
export function encodeResponseFrame(apiKey: number, apiVersion: number, correlationId: number, value: object): Buffer {
  const spec = apiSpec(apiKey);
  if (spec === undefined) throw new ProtocolError(`cannot encode a response for unknown API key ${apiKey}`);
  return encodeFrame(spec.response, apiVersion, responseHeaderVersion(apiKey, apiVersion), correlationId, value);
}

/**
 * Like {@link encodeResponseFrame}, as a list of buffers whose concatenation is the frame: byte strings
 * of 4 KiB or more in the value are referenced, not copied (they must not change until written).
 *
 * @throws ProtocolError for an unknown API key or a value that cannot be encoded
 * @example
 * for (const chunk of encodeResponseChunks(API_KEYS.Fetch, 11, correlationId, response)) socket.write(chunk);
 */
export function encodeResponseChunks(apiKey: number, apiVersion: number, correlationId: number, value: object): Buffer[] {
  const spec = apiSpec(apiKey);
  if (spec === undefined) throw new ProtocolError(`cannot encode a response for unknown API key ${apiKey}`);
  const w = new Writer(256, { chunked: true });
  w.int32(0);
  encodeResponseHeader(w, responseHeaderVersion(apiKey, apiVersion), correlationId);
  encodeMessage(spec.response, apiVersion, value as never, w);
  const chunks = w.finishChunks();
  chunks[0]!.writeInt32BE(w.length - 4, 0);
  return chunks;
}

/** Encodes a size-prefixed frame of `spec` with a response header of `headerVersion`. */
export function encodeFrame(
  spec: MessageSpec,
  version: number,
  headerVersion: 0 | 1,
  correlationId: number,
  value: object,
  initialSize = 256,
): Buffer {
  const w = new Writer(initialSize);
  w.int32(0);
  encodeResponseHeader(w, headerVersion, correlationId);
  encodeMessage(spec, version, value as never, w);
  w.int32At(0, w.pos - 4);
  return w.finish();
}
