import { gunzipSync, gzipSync } from 'node:zlib';
import type { CompressionType } from './log-contracts.ts';
import { UnsupportedCompressionError } from '../errors/log-errors.ts';

/** A compression codec for the records section of a batch. */
export interface CompressionCodec {
  compress(data: Buffer): Buffer;
  decompress(data: Buffer): Buffer;
}

/** Kafka's codec ids: the low three bits of the batch attributes. */
export const COMPRESSION_CODEC_IDS: Readonly<Record<CompressionType, number>> = {
  none: 0,
  gzip: 1,
  snappy: 2,
  lz4: 3,
  zstd: 4,
};

const BY_ID: readonly CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

const codecs = new Map<CompressionType, CompressionCodec>([
  ['gzip', { compress: (d) => gzipSync(d), decompress: (d) => gunzipSync(d) }],
]);

/** The compression type for the low three attribute bits; unknown ids throw. */
export function compressionFromId(id: number, where: string): CompressionType {
  const type = BY_ID[id];
  if (type === undefined) throw new UnsupportedCompressionError(`codec id ${id}`, where);
  return type;
}

/**
 * Registers (or replaces) the codec for a compression type. gzip is built in (node:zlib); snappy, lz4 and
 * zstd batches are stored and served as given, and decoded once a codec is registered.
 *
 * @example
 * registerCompressionCodec('zstd', { compress: (b) => zstd.compress(b), decompress: (b) => zstd.decompress(b) });
 */
export function registerCompressionCodec(type: Exclude<CompressionType, 'none'>, codec: CompressionCodec): void {
  codecs.set(type, codec);
}

/** Whether a codec for `type` is available in this process. */
export function hasCompressionCodec(type: CompressionType): boolean {
  return type === 'none' || codecs.has(type);
}

/** Compresses `data` with `type`. @throws UnsupportedCompressionError when no codec is registered. */
export function compress(type: CompressionType, data: Buffer, where = 'producer'): Buffer {
  if (type === 'none') return data;
  const codec = codecs.get(type);
  if (codec === undefined) throw new UnsupportedCompressionError(type, where);
  return codec.compress(data);
}

/** Decompresses `data` with `type`. @throws UnsupportedCompressionError when no codec is registered. */
export function decompress(type: CompressionType, data: Buffer, where: string): Buffer {
  if (type === 'none') return data;
  const codec = codecs.get(type);
  if (codec === undefined) throw new UnsupportedCompressionError(type, where);
  return codec.decompress(data);
}
