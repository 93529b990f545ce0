/**
 * ApiVersions (api key 18): the API versions the broker serves. v3 (flexible) adds the client's
 * software name and version, and the tagged feature fields of the response. The response always travels
 * with response header v0; an unknown request version is answered in the v0 layout.
 *
 * Facts from Apache Kafka's message schemas; one description serves every version listed.
 */
import { api, array, field, struct } from '../message-spec.ts';

export const ApiVersions = api([18, 'ApiVersions', '0-3', '3+'],
  [
    field('clientSoftwareName', 'string', '3+'),
    field('clientSoftwareVersion', 'string', '3+'),
  ],
  [
    field('errorCode', 'int16', '0+'),
    field('apiKeys', array(struct(
      field('apiKey', 'int16', '0+'),
      field('minVersion', 'int16', '0+'),
      field('maxVersion', 'int16', '0+'),
    )), '0+'),
    field('throttleTimeMs', 'int32', '1+'),
    field('supportedFeatures', array(struct(
      field('name', 'string', '3+'),
      field('minVersion', 'int16', '3+'),
      field('maxVersion', 'int16', '3+'),
    )), '3+', { tagged: [0, '3+'] }),
    field('finalizedFeaturesEpoch', 'int64', '3+', { tagged: [1, '3+'], default: -1 }),
    field('finalizedFeatures', array(struct(
      field('name', 'string', '3+'),
      field('maxVersionLevel', 'int16', '3+'),
      field('minVersionLevel', 'int16', '3+'),
    )), '3+', { tagged: [2, '3+'] }),
    field('zkMigrationReady', 'bool', '3+', { tagged: [3, '3+'] }),
  ],
);
