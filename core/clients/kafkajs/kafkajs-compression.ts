/**
 * Compression for the kafkajs backend: kafkajs ships gzip only and takes other codecs through its
 * global `CompressionCodecs` table. Tributary's own codec registry (`registerCompressionCodec`) is the
 * one source: every snappy, lz4 or zstd codec registered there is bridged into kafkajs, so kafkajs
 * producers write and consumers read those batches with the same codec as the embedded log.
 */
import kafkajs from 'kafkajs';
import type { CompressionType } from '../../log/log-contracts.ts';
import { compress, decompress, hasCompressionCodec } from '../../log/compression.ts';

// `CompressionCodecs` is not among the names Node detects on kafkajs's CommonJS exports: read it from the module object.
const { CompressionCodecs, CompressionTypes } = kafkajs;

/** kafkajs's numeric code for each compression type. */
export const KAFKAJS_COMPRESSION: Readonly<Record<CompressionType, number>> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

const BRIDGED: readonly Exclude<CompressionType, 'none' | 'gzip'>[] = ['snappy', 'lz4', 'zstd'];

/**
 * Registers, in kafkajs's table, a codec for each of snappy, lz4 and zstd that Tributary has a codec
 * for and kafkajs has none. Idempotent; cheap enough to call before each send.
 *
 * @example
 * registerCompressionCodec('zstd', myZstd);
 * bridgeCompressionCodecs(); // kafkajs producers and consumers now handle zstd batches
 */
export function bridgeCompressionCodecs(): void {
  const table = CompressionCodecs as unknown as Record<number, unknown>;
  for (const type of BRIDGED) {
    const code = KAFKAJS_COMPRESSION[type];
    if (table[code] !== undefined || !hasCompressionCodec(type)) continue;
    table[code] = () => ({
      compress: async (encoder: { buffer: Buffer }) => compress(type, encoder.buffer, 'kafkajs producer'),
      decompress: async (data: Buffer) => decompress(type, data, 'kafkajs consumer'),
    });
  }
}
