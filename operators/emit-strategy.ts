/**
 * When a windowed aggregation forwards its results (Kafka Streams' `EmitStrategy`):
 * - `'onWindowUpdate'` (default): every update of a window, as it happens (deduplicated per commit
 *   interval when the store caches);
 * - `'onWindowClose'`: once per window, the final aggregate, when stream time passes the window's end +
 *   grace; nothing before. Unlike `suppress(untilWindowCloses)` it needs no extra buffer: the closed
 *   windows are read back from the window store.
 */
export type EmitStrategy = 'onWindowUpdate' | 'onWindowClose';
