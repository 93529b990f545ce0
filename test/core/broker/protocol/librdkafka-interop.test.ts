/**
 * The codec against librdkafka (through kcat): a minimal server built only from the codec answers
 * ApiVersions and Metadata; `kcat -L` must list its broker and topic. librdkafka opens with ApiVersions v3
 * (flexible body, request header v2, response header v0), so this exercises the flexible encodings
 * against a real client.
 */
import { spawnSync, execFile } from 'node:child_process';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADVERTISED_VERSIONS, API_KEYS, apiSpec } from '../../../../core/broker/protocol/api-registry.ts';
import { decodeMessage } from '../../../../core/broker/protocol/codec.ts';
import { decodeRequestHeader } from '../../../../core/broker/protocol/request-header.ts';
import { encodeResponseFrame } from '../../../../core/broker/protocol/response-frame.ts';

const hasKcat = spawnSync('kcat', ['-V']).status === 0;

interface Seen {
  apiKey: number;
  apiVersion: number;
  clientId: string | null;
  body: Record<string, unknown>;
}

function serve(socket: Socket, port: number, seen: Seen[]): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const frame = pending.subarray(4, 4 + pending.readInt32BE(0));
      pending = pending.subarray(4 + frame.length);
      const { header, bytesRead } = decodeRequestHeader(frame);
      const spec = apiSpec(header.apiKey)!;
      const body = decodeMessage(spec.request, header.apiVersion, frame, bytesRead).value as Record<string, unknown>;
      seen.push({ apiKey: header.apiKey, apiVersion: header.apiVersion, clientId: header.clientId, body });
      if (header.apiKey === API_KEYS.ApiVersions) {
        const offered = [API_KEYS.ApiVersions, API_KEYS.Metadata].map((key) => {
          const [minVersion, maxVersion] = ADVERTISED_VERSIONS.get(key)!;
          return { apiKey: key, minVersion, maxVersion };
        });
        socket.write(encodeResponseFrame(header.apiKey, header.apiVersion, header.correlationId, { errorCode: 0, apiKeys: offered }));
      } else if (header.apiKey === API_KEYS.Metadata) {
        socket.write(
          encodeResponseFrame(header.apiKey, header.apiVersion, header.correlationId, {
            brokers: [{ nodeId: 1, host: '127.0.0.1', port, rack: null }],
            clusterId: 'codec-test',
            controllerId: 1,
            topics: [
              {
                errorCode: 0,
                name: 'codec-topic',
                topicId: '6f1c2a3b-0000-4000-8000-00000000abcd',
                partitions: [0, 1, 2].map((p) => ({ errorCode: 0, partitionIndex: p, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1] })),
              },
            ],
          }),
        );
      } else {
        socket.destroy();
      }
    }
  });
  socket.on('error', () => socket.destroy());
}

describe('core/broker/protocol against librdkafka (kcat)', () => {
  it('has kcat installed (.ci/run installs it; a missing client fails rather than skips)', () => {
    expect(hasKcat).toBe(true);
  });

  let server: Server;
  let port = 0;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = createServer((socket) => serve(socket, port, seen));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('kcat -L reads the broker and topic from codec-encoded ApiVersions v3 and Metadata responses', async () => {
    const output = await new Promise<string>((resolve, reject) => {
      execFile('kcat', ['-L', '-J', '-b', `127.0.0.1:${port}`, '-m', '10'], { timeout: 20_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    const metadata = JSON.parse(output) as {
      brokers: { id: number; name: string }[];
      topics: { topic: string; partitions: { partition: number; leader: number }[] }[];
    };
    expect(metadata.brokers).toEqual([{ id: 1, name: `127.0.0.1:${port}` }]);
    expect(metadata.topics.map((t) => t.topic)).toEqual(['codec-topic']);
    expect(metadata.topics[0]!.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);

    const first = seen[0]!;
    expect(first.apiKey).toBe(API_KEYS.ApiVersions);
    expect(first.apiVersion).toBe(3);
    expect(first.body['clientSoftwareName']).toBe('librdkafka');
    expect(String(first.body['clientSoftwareVersion'])).toMatch(/^\d+\.\d+\.\d+/);
    const metadataRequests = seen.filter((s) => s.apiKey === API_KEYS.Metadata);
    expect(metadataRequests.length).toBeGreaterThan(0);
    // librdkafka 2.0.2 asks Metadata v4 (its highest); the flexible part is ApiVersions v3.
    for (const m of metadataRequests) expect(m.apiVersion).toBeGreaterThanOrEqual(4);
  });
});
