/**
 * The LMDB environment of one task: `<taskDir>/lmdb`, opened once and shared by the task's stores
 * (one named database per store, or per segment of a window or session store), plus the reserved
 * `__checkpoint` database holding each store's changelog checkpoint. Writes are `noSync`: the
 * changelog carries durability. A data file that fails {@link checkLmdbDataFile} is removed before the
 * open, so the stores start empty (no checkpoint) and the runtime restores them from their changelogs.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { checkLmdbDataFile } from './lmdb-meta-check.ts';
import { readUint64BE, writeUint64BE } from '../bytes.ts';

/** The name of the environment directory inside a task directory. */
export const LMDB_DIR = 'lmdb';
/** The reserved database of checkpoints (key: store name, value: offset as 8 bytes BE, -1 as empty). */
export const CHECKPOINT_DB = '__checkpoint';
/** The reserved database of empty-key values (LMDB does not allow zero-length keys); key: db name. */
export const EMPTY_KEY_DB = '__empty_key';
/** The reserved database of store metadata (segmented stores: live segments and stream time). */
export const META_DB = '__meta';

const MAX_DBS = 1024;

/** A bytes database: binary keys and values. */
export type BytesDatabase = Database<Buffer, Buffer>;

/** A shared, reference-counted LMDB environment of one task directory. */
export class LmdbEnv {
  private refs = 0;
  private closed = false;
  readonly root: RootDatabase<Buffer, Buffer>;
  private readonly checkpoints: BytesDatabase;
  private readonly emptyKeys: BytesDatabase;
  private readonly meta: BytesDatabase;
  /** Why the previous data was discarded at open, or null when it was kept (or there was none). */
  readonly discardedReason: string | null;

  private constructor(readonly path: string, discardedReason: string | null) {
    this.discardedReason = discardedReason;
    this.root = open<Buffer, Buffer>({ path, noSync: true, maxDbs: MAX_DBS, keyEncoding: 'binary', encoding: 'binary' });
    this.checkpoints = this.openBytesDb(CHECKPOINT_DB);
    this.emptyKeys = this.openBytesDb(EMPTY_KEY_DB);
    this.meta = this.openBytesDb(META_DB);
  }

  private static readonly open = new Map<string, LmdbEnv>();

  /**
   * The environment of a task directory, opened on first use (and checked for corruption first).
   * Each call takes a reference; give it back with {@link LmdbEnv.release}.
   */
  static acquire(taskDir: string): LmdbEnv {
    const path = join(taskDir, LMDB_DIR);
    let env = LmdbEnv.open.get(path);
    if (env === undefined) {
      const check = checkLmdbDataFile(path);
      let discarded: string | null = null;
      if (check.state === 'corrupt') {
        discarded = check.reason;
        rmSync(path, { recursive: true, force: true });
      }
      mkdirSync(path, { recursive: true });
      env = new LmdbEnv(path, discarded);
      LmdbEnv.open.set(path, env);
    }
    env.refs++;
    return env;
  }

  /** Gives back a reference; the last one closes the environment. */
  release(): void {
    if (this.closed) return;
    this.refs--;
    if (this.refs > 0) return;
    this.closed = true;
    LmdbEnv.open.delete(this.path);
    this.root.close().catch(() => undefined);
  }

  /** Opens (creating) a named bytes database. */
  openBytesDb(name: string): BytesDatabase {
    return this.root.openDB<Buffer, Buffer>({ name, keyEncoding: 'binary', encoding: 'binary' });
  }

  /**
   * Runs `fn` in one synchronous write transaction. Inside, write with `putSync`/`removeSync` only: the
   * asynchronous `put` of lmdb-js inside `transactionSync` leaves a promise that never settles and makes
   * `close()` hang.
   */
  transaction<T>(fn: () => T): T {
    return this.root.transactionSync(fn);
  }

  /** The checkpoint of a store: the changelog offset its data reflects, or null when none is stored. */
  readCheckpoint(storeName: string): number | null {
    const raw = this.checkpoints.getBinary(Buffer.from(storeName));
    if (raw === undefined || raw.length !== 9) return null;
    return raw[0] === 1 ? -1 : readUint64BE(raw, 1);
  }

  /** Writes a store's checkpoint; call inside {@link LmdbEnv.transaction} with the data it describes. */
  writeCheckpoint(storeName: string, offset: number): void {
    const raw = Buffer.alloc(9);
    if (offset < 0) raw[0] = 1;
    else writeUint64BE(raw, offset, 1);
    this.checkpoints.putSync(Buffer.from(storeName), raw);
  }

  /** Removes a store's checkpoint (inside a transaction). */
  removeCheckpoint(storeName: string): void {
    this.checkpoints.removeSync(Buffer.from(storeName));
  }

  /** The value stored for the empty key of database `dbName`. */
  getEmptyKey(dbName: string): Buffer | undefined {
    return this.emptyKeys.getBinary(Buffer.from(dbName));
  }

  /** Sets or (null) removes the empty-key value of `dbName` (inside a transaction). */
  putEmptyKey(dbName: string, value: Buffer | null): void {
    if (value === null) this.emptyKeys.removeSync(Buffer.from(dbName));
    else this.emptyKeys.putSync(Buffer.from(dbName), value);
  }

  /** A store's metadata, or undefined. */
  readMeta(storeName: string): Buffer | undefined {
    return this.meta.getBinary(Buffer.from(storeName));
  }

  /** Writes (or with null removes) a store's metadata (inside a transaction). */
  writeMeta(storeName: string, value: Buffer | null): void {
    if (value === null) this.meta.removeSync(Buffer.from(storeName));
    else this.meta.putSync(Buffer.from(storeName), value);
  }
}
