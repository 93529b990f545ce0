import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { readIntoBuffers } from '../../../core/broker/socket-reads.ts';

/** Accepts one connection and hooks it with `hook`; the client sends `payload` and waits until both sides have closed. */
async function acceptOne(pauseOnConnect: boolean, hook: (socket: net.Socket) => void, payload: Buffer): Promise<void> {
  const server = net.createServer({ pauseOnConnect }, (socket) => {
    hook(socket);
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
  client.end(payload);
  client.resume();
  await new Promise((r) => client.on('close', r));
  await new Promise((r) => server.close(r));
}

describe('core/broker/socket-reads', () => {
  for (const pauseOnConnect of [true, false]) {
    it(`reads an accepted socket into the buffers given, one after the other (pauseOnConnect ${pauseOnConnect})`, async () => {
      const payload = Buffer.alloc(300_000);
      for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) % 251;
      const buffers = [Buffer.alloc(1000), Buffer.alloc(5000)];
      let turn = 0;
      const received: Buffer[] = [];
      let hooked = false;
      let dataEvents = 0;
      await acceptOne(
        pauseOnConnect,
        (socket) => {
          socket.on('data', () => dataEvents++);
          hooked = readIntoBuffers(
            socket,
            () => buffers[turn++ % 2]!,
            (n, buf) => {
              expect(buffers).toContain(buf);
              received.push(Buffer.from(buf.subarray(0, n)));
            },
          );
          socket.resume();
        },
        payload,
      );
      expect(hooked).toBe(true);
      expect(dataEvents).toBe(0);
      expect(Buffer.concat(received).equals(payload)).toBe(true);
      expect(Math.max(...received.map((b) => b.length))).toBeLessThanOrEqual(5000);
    });
  }
});
