/**
 * Compression as clients name it: kafkajs's numeric `CompressionTypes` (0 none, 1 gzip, 2 snappy, 3 lz4,
 * 4 zstd) or Tributary's names; resolved to the log's {@link CompressionType}.
 */
import type { CompressionType } from '../../log/log-contracts.ts';
import type { CompressionTypes } from '../log-client.ts';
import { hasCompressionCodec } from '../../log/compression.ts';
import { InvalidArgumentError, UnsupportedCompressionError } from '../../errors/log-errors.ts';

const BY_CODE: readonly CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/**
 * The compression type for a kafkajs code or a name, checked against the codecs registered in this
 * process (see `registerCompressionCodec`).
 *
 * @throws InvalidArgumentError for an unknown code or name; UnsupportedCompressionError when no codec is
 *   registered for it.
 * @example
 * resolveCompression(1); // 'gzip'
 */
export function resolveCompression(compression: CompressionTypes | CompressionType | number | string): CompressionType {
  const type = typeof compression === 'number' ? BY_CODE[compression] : (compression as CompressionType);
  if (type === undefined || !BY_CODE.includes(type)) {
    throw new InvalidArgumentError(`Unknown compression ${String(compression)} (expected 0-4 or none|gzip|snappy|lz4|zstd)`);
  }
  if (!hasCompressionCodec(type)) throw new UnsupportedCompressionError(type, 'producer');
  return type;
}
