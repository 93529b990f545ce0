/**
 * Reading a socket the broker accepted into buffers the broker chooses, as Node's `onread` option of
 * `net.Socket` does (`{ buffer: () => Buffer, callback: (nread, buf) => void }`): no buffer is allocated
 * per read and no 'data' event is emitted. `net.Server` gives that option no way into the sockets it
 * accepts, so this sets the same three fields the `net.Socket` constructor sets for `onread` (found by
 * their symbol descriptions) and switches the handle to the user buffer (`useUserBuffer`), which is what
 * Node does for a socket created with `onread`. Where the runtime does not have them, it changes nothing
 * and returns false: the caller reads 'data' events instead.
 */
import type { Socket } from 'node:net';

interface UserBufferHandle {
  useUserBuffer?: (buffer: Uint8Array) => void;
}

/**
 * Makes `socket` read into the buffers `next` returns (called before each read) and report every read
 * to `onRead` with the byte count and the buffer it filled. Must run before the socket has received
 * anything (from the 'connection' listener).
 *
 * @returns whether the socket now reads this way; false leaves it untouched.
 * @example
 * if (!readIntoBuffers(socket, () => target, (n, buf) => parse(buf, n))) socket.on('data', parseChunk);
 */
export function readIntoBuffers(socket: Socket, next: () => Buffer, onRead: (nread: number, buf: Buffer) => void): boolean {
  const handle = (socket as unknown as { _handle?: UserBufferHandle | null })._handle;
  if (handle == null || typeof handle.useUserBuffer !== 'function' || socket.readableLength > 0) return false;
  let kBuffer: symbol | undefined;
  let kBufferCb: symbol | undefined;
  let kBufferGen: symbol | undefined;
  for (const symbol of Object.getOwnPropertySymbols(socket)) {
    if (symbol.description === 'kBuffer') kBuffer = symbol;
    else if (symbol.description === 'kBufferCb') kBufferCb = symbol;
    else if (symbol.description === 'kBufferGen') kBufferGen = symbol;
  }
  if (kBuffer === undefined || kBufferCb === undefined || kBufferGen === undefined) return false;
  const fields = socket as unknown as Record<symbol, unknown>;
  if (fields[kBuffer] !== null || fields[kBufferCb] !== null || fields[kBufferGen] !== null) return false;
  const first = next();
  fields[kBuffer] = first;
  fields[kBufferCb] = onRead;
  fields[kBufferGen] = next;
  handle.useUserBuffer(first);
  return true;
}
