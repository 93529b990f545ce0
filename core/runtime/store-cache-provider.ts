/**
 * The app-wide store cache (Kafka Streams' ThreadCache): one per application instance, shared by every
 * caching store of every task, bounded by `cacheMaxBytes`. The cache class lives with the stores
 * (state-stores/, which core/ does not import), so the runtime asks the store builders for one: a
 * builder of caching stores offers `createCache(maxBytes)`. The result reaches the stores as
 * `context.cache` (see {@link ProcessorStateManager}); stores given none use a private cache.
 */
import type { StoreBuilder } from '../processor/state-store.ts';

/** What a builder of caching stores offers (structural: not part of the StoreBuilder contract). */
interface CacheCreatingBuilder {
  createCache(maxBytes: number): unknown;
}

/**
 * Creates the instance's store cache from the first builder able to, or undefined when none is.
 * @example
 * const cache = createStoreCache(topology.storeBuilders, 10 * 1024 * 1024);
 */
export function createStoreCache(builders: ReadonlyMap<string, StoreBuilder>, maxBytes: number): unknown {
  for (const builder of builders.values()) {
    const create = (builder as Partial<CacheCreatingBuilder>).createCache;
    if (typeof create === 'function') return create.call(builder, maxBytes);
  }
  return undefined;
}
