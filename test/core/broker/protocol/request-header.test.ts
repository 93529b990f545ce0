import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { API_KEYS, API_SPECS } from '../../../../core/broker/protocol/api-registry.ts';
import { decodeMessage, encodeMessage } from '../../../../core/broker/protocol/codec.ts';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../../../core/broker/protocol/request-header.ts';
import { encodeResponseFrame } from '../../../../core/broker/protocol/response-frame.ts';
import { Writer } from '../../../../core/broker/protocol/writer.ts';
import { ProtocolError } from '../../../../core/errors/broker-errors.ts';

const require = createRequire(import.meta.url);

describe('core/broker/protocol/request-header', () => {
  it('header versions follow the flexible versions; ApiVersions responses always use v0', () => {
    expect(requestHeaderVersion(API_KEYS.Metadata, 8)).toBe(1);
    expect(requestHeaderVersion(API_KEYS.Metadata, 9)).toBe(2);
    expect(requestHeaderVersion(API_KEYS.Fetch, 11)).toBe(1);
    expect(requestHeaderVersion(API_KEYS.Fetch, 12)).toBe(2);
    expect(requestHeaderVersion(API_KEYS.ApiVersions, 3)).toBe(2);
    expect(requestHeaderVersion(API_KEYS.ApiVersions, 4)).toBe(2); // newer than described: still flexible
    expect(requestHeaderVersion(999, 0)).toBe(1);
    expect(responseHeaderVersion(API_KEYS.ApiVersions, 3)).toBe(0);
    expect(responseHeaderVersion(API_KEYS.Metadata, 9)).toBe(1);
    expect(responseHeaderVersion(API_KEYS.Produce, 8)).toBe(0);
    expect(responseHeaderVersion(API_KEYS.Produce, 9)).toBe(1);
  });

  it('decodes the header kafkajs writes (v1), and the body after it', async () => {
    const kafkajsFrame = require('kafkajs/src/protocol/request.js') as (a: unknown) => Promise<{ buffer: Buffer }>;
    const metadata = require('kafkajs/src/protocol/requests/metadata/v5/request.js') as (a: unknown) => unknown;
    const frame = (await kafkajsFrame({ correlationId: 77, clientId: 'my-app', request: metadata({ topics: ['t'] }) })).buffer;
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    const { header, bytesRead } = decodeRequestHeader(frame, 4);
    expect(header).toEqual({ apiKey: 3, apiVersion: 5, correlationId: 77, clientId: 'my-app' });
    const { value } = decodeMessage(API_SPECS.Metadata.request, 5, frame, 4 + bytesRead);
    expect(value.topics).toEqual([{ topicId: '00000000-0000-0000-0000-000000000000', name: 't' }]);
  });

  it('v2: the clientId stays an int16 string, then a tag buffer (unknown tags kept)', () => {
    // ApiVersions v3 as librdkafka sends it: header v2, compact body with software name and version.
    const bytes = Buffer.from('0012' + '0003' + '00000001' + '0007' + Buffer.from('rdkafka').toString('hex') + '01' + '05' + '02' + 'abcd', 'hex');
    const body = encodeMessage(API_SPECS.ApiVersions.request, 3, { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
    const frame = Buffer.concat([bytes, body]);
    const { header, bytesRead } = decodeRequestHeader(frame);
    expect(header).toMatchObject({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka' });
    expect(header._unknownTaggedFields).toEqual([{ tag: 5, data: Buffer.from([0xab, 0xcd]) }]);
    expect(bytesRead).toBe(bytes.length);
    expect(decodeMessage(API_SPECS.ApiVersions.request, 3, frame, bytesRead).value).toMatchObject({
      clientSoftwareName: 'librdkafka',
      clientSoftwareVersion: '2.0.2',
    });
  });

  it('round-trips headers through encodeRequestHeader, null clientId included', () => {
    for (const [apiKey, apiVersion] of [[0, 3], [0, 9], [18, 0], [18, 3], [1, 13]] as const) {
      const w = new Writer();
      encodeRequestHeader(w, { apiKey, apiVersion, correlationId: -5, clientId: null });
      const { header, bytesRead } = decodeRequestHeader(w.finish());
      expect(header).toEqual({ apiKey, apiVersion, correlationId: -5, clientId: null });
      expect(bytesRead).toBe(w.pos);
      expect(w.pos).toBe(requestHeaderVersion(apiKey, apiVersion) === 2 ? 11 : 10);
    }
  });

  it('a truncated header throws ProtocolError naming the field', () => {
    const w = new Writer();
    encodeRequestHeader(w, { apiKey: 3, apiVersion: 9, correlationId: 1, clientId: 'abc' });
    const full = w.finish();
    for (let cut = 0; cut < full.length; cut++) {
      expect(() => decodeRequestHeader(full.subarray(0, cut))).toThrow(ProtocolError);
    }
    try {
      decodeRequestHeader(full.subarray(0, 10));
    } catch (e) {
      expect((e as ProtocolError).fieldPath).toBe('clientId');
      expect((e as ProtocolError).message).toContain('RequestHeader');
    }
  });

  it('encodeResponseFrame: size prefix, header v0 or v1, body', () => {
    const v3 = encodeResponseFrame(API_KEYS.Heartbeat, 3, 42, { errorCode: 27 });
    expect(v3.toString('hex')).toBe('0000000a' + '0000002a' + '00000000' + '001b');
    const v4 = encodeResponseFrame(API_KEYS.Heartbeat, 4, 42, { errorCode: 27 });
    expect(v4.toString('hex')).toBe('0000000c' + '0000002a' + '00' + '00000000' + '001b' + '00');
    expect(decodeResponseHeader(v4.subarray(4), 1)).toEqual({ correlationId: 42, bytesRead: 5 });
    // ApiVersions v3: header v0 even though the body is flexible.
    const versions = encodeResponseFrame(API_KEYS.ApiVersions, 3, 7, { errorCode: 0, apiKeys: [] });
    expect(versions.subarray(4, 8).readInt32BE(0)).toBe(7);
    expect(decodeMessage(API_SPECS.ApiVersions.response, 3, versions, 8).value.errorCode).toBe(0);
    expect(() => encodeResponseFrame(999, 0, 1, {})).toThrow(ProtocolError);
  });
});
