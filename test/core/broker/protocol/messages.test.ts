import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../../core/broker/protocol/codec.ts';
import { API_SPECS, SERVED_VERSIONS } from '../../../../core/broker/protocol/api-registry.ts';
import { inVersionRange, type MessageSpec } from '../../../../core/broker/protocol/message-spec.ts';
import { ProtocolError } from '../../../../core/errors/broker-errors.ts';
import { matches, SampleMaker, versionsOf, type Variant } from './sample-values.ts';

const specs: MessageSpec[] = Object.values(API_SPECS).flatMap((api) => [api.request, api.response]);

function sample(spec: MessageSpec, version: number, variant: Variant): Record<string, unknown> {
  return new SampleMaker(version, inVersionRange(spec.flexibleVersions, version), variant).message(spec);
}

describe('core/broker/protocol/messages', () => {
  it('describes every served version of every API', () => {
    for (const [apiKey, [min, max]] of SERVED_VERSIONS) {
      const api = Object.values(API_SPECS).find((a) => a.request.apiKey === apiKey)!;
      expect(api, `api key ${apiKey}`).toBeDefined();
      for (const spec of [api.request, api.response]) {
        expect(inVersionRange(spec.validVersions, min) && inVersionRange(spec.validVersions, max)).toBe(true);
      }
    }
  });

  for (const spec of specs) {
    describe(`${spec.name}${spec.kind === 'request' ? 'Request' : 'Response'}`, () => {
      for (const version of versionsOf(spec)) {
        for (const variant of ['full', 'nulls'] as const) {
          it(`round-trips v${version} (${variant})`, () => {
            const value = sample(spec, version, variant);
            const bytes = encodeMessage(spec, version, value as never);
            const { value: decoded, bytesRead } = decodeMessage(spec, version, bytes);
            expect(bytesRead).toBe(bytes.length);
            expect(matches(value, decoded)).toBeNull();
            // Every field of the description is in the decoded value (absent ones hold defaults).
            for (const f of spec.fields) expect(decoded).toHaveProperty(f.name);
            // Re-encoding what was decoded gives the same bytes (unknown tagged fields included).
            expect(encodeMessage(spec, version, decoded as never).equals(bytes)).toBe(true);
          });
        }

        it(`v${version}: every truncation throws ProtocolError`, () => {
          const bytes = encodeMessage(spec, version, sample(spec, version, 'full') as never);
          for (let cut = 0; cut < bytes.length; cut++) {
            const prefix = Buffer.from(bytes.subarray(0, cut));
            let thrown: unknown;
            try {
              decodeMessage(spec, version, prefix);
            } catch (e) {
              thrown = e;
            }
            expect(thrown, `cut at ${cut} of ${bytes.length}`).toBeInstanceOf(ProtocolError);
            const err = thrown as ProtocolError;
            expect(err.apiVersion).toBe(version);
            expect(err.position).toBeLessThanOrEqual(cut);
            expect(err.fieldPath).toBeTruthy();
          }
        });
      }
    });
  }

  it('skips fields a version does not have: Fetch v13 names topics by id, v12 by name', () => {
    const { Fetch } = API_SPECS;
    const topics = [{ topic: 'orders', topicId: '0123abcd-0000-4000-8000-0123456789ab', partitions: [] }];
    const v12 = decodeMessage(Fetch.request, 12, encodeMessage(Fetch.request, 12, { topics })).value;
    const v13 = decodeMessage(Fetch.request, 13, encodeMessage(Fetch.request, 13, { topics })).value;
    expect(v12.topics[0]).toMatchObject({ topic: 'orders', topicId: '00000000-0000-0000-0000-000000000000' });
    expect(v13.topics[0]).toMatchObject({ topic: '', topicId: '0123abcd-0000-4000-8000-0123456789ab' });
  });
});
