/**
 * A check of an LMDB data file before it is opened. LMDB trusts its file: opening garbage can crash the
 * process (a segmentation fault, not an exception). So before opening, the two meta pages are read and
 * checked: magic, page size, page flags, last page within the file, roots within the last page.
 * Garbage inside data pages is not detected here; it is rare (LMDB never rewrites pages in place) and
 * needs a byte-level scrubber that is out of scope.
 *
 * Meta page layout (64-bit): the page header is 16 bytes in LMDB 0.9 (pgno 8, pad 2, flags 2, lower 2,
 * upper 2) and 24 bytes in the LMDB 1.0 format lmdb-js writes (pgno 8, txnid 8, pad 2, flags 2, lower 2,
 * upper 2); the header size is told by where the magic is. Then MDB_meta: magic u32 (0xBEEFC0DE), version u32, address 8, mapsize 8, two MDB_db of 48 bytes
 * (pad u32 = page size for the free DB, flags u16, depth u16, branch, leaf, overflow, entries, root: 8
 * each), last_pg 8, txnid 8. Little-endian on every platform Node runs on.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const MAGIC = 0xbeefc0de;
const P_META = 0x08;
/** Page header sizes: LMDB 1.0 (lmdb-js) first, then 0.9. */
const HEADER_SIZES = [24, 16] as const;
const DB_SIZE = 48;
const INVALID_PGNO = 0xffffffffffffffffn;

/** Result of {@link checkLmdbDataFile}: `absent` (no file: a fresh env), `ok`, or `corrupt` with why. */
export type LmdbFileCheck = { readonly state: 'absent' | 'ok' } | { readonly state: 'corrupt'; readonly reason: string };

/** The header size of a meta page: where the magic is, or -1. */
function headerSize(buf: Buffer, base: number): number {
  for (const size of HEADER_SIZES) if (buf.length >= base + size + 4 && buf.readUInt32LE(base + size) === MAGIC) return size;
  return -1;
}

function checkMeta(buf: Buffer, pageOffset: number, fileSize: number): string | null {
  const base = pageOffset;
  if (buf.length < base + 160) return 'meta page truncated';
  const header = headerSize(buf, base);
  if (header < 0) return 'bad magic';
  const flags = buf.readUInt16LE(base + header - 6);
  if ((flags & P_META) === 0) return `meta page flags 0x${flags.toString(16)}`;
  const m = base + header;
  const version = buf.readUInt32LE(m + 4);
  if (version < 1 || version > 999) return `unknown version ${version}`;
  const dbs = m + 24;
  const pageSize = buf.readUInt32LE(dbs);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return `page size ${pageSize}`;
  const lastPg = buf.readBigUInt64LE(dbs + 2 * DB_SIZE);
  const pagesInFile = BigInt(Math.floor(fileSize / pageSize));
  if (lastPg >= pagesInFile) return `last page ${lastPg} beyond the file (${pagesInFile} pages)`;
  for (let d = 0; d < 2; d++) {
    const root = buf.readBigUInt64LE(dbs + d * DB_SIZE + 40);
    if (root !== INVALID_PGNO && root > lastPg) return `root page ${root} beyond the last page ${lastPg}`;
  }
  return null;
}

/**
 * Checks `<dir>/data.mdb`. One valid meta page is enough (LMDB uses the newer valid one), but a meta page
 * that claims pages beyond the file makes the file corrupt.
 *
 * @example
 * if (checkLmdbDataFile(dir).state === 'corrupt') rmSync(dir, { recursive: true });
 */
export function checkLmdbDataFile(dir: string): LmdbFileCheck {
  let fd: number;
  try {
    fd = openSync(`${dir}/data.mdb`, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    return { state: 'corrupt', reason: (error as Error).message };
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return { state: 'absent' };
    const head = Buffer.alloc(Math.min(size, 2 * 65536));
    readSync(fd, head, 0, head.length, 0);
    const first = checkMeta(head, 0, size);
    if (first !== null) return { state: 'corrupt', reason: `meta page 0: ${first}` };
    const pageSize = head.readUInt32LE(headerSize(head, 0) + 24);
    const second = checkMeta(head, pageSize, size);
    if (second !== null) return { state: 'corrupt', reason: `meta page 1: ${second}` };
    return { state: 'ok' };
  } finally {
    closeSync(fd);
  }
}
