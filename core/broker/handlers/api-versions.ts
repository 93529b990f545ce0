/**
 * ApiVersions (api key 18): the versions the broker advertises for every API it knows. A request in a
 * version the broker does not serve is answered by the dispatcher in the v0 layout with
 * UNSUPPORTED_VERSION and the ApiVersions range only (see request-dispatcher.ts).
 */
import { defineHandler } from '../api-handler.ts';
import { ADVERTISED_VERSIONS, API_KEYS } from '../protocol/api-registry.ts';
import { KAFKA_ERROR_CODES as E } from '../protocol/error-codes.ts';
import type { InputOf, ValueOf } from '../protocol/message-spec.ts';
import { ApiVersions } from '../protocol/messages/api-versions.ts';

type ApiVersionsRequest = ValueOf<typeof ApiVersions.request>;
type ApiVersionsResponse = InputOf<typeof ApiVersions.response>;

const ADVERTISED = [...ADVERTISED_VERSIONS]
  .sort((a, b) => a[0] - b[0])
  .map(([apiKey, [minVersion, maxVersion]]) => ({ apiKey, minVersion, maxVersion }));

/** ApiVersions: every advertised API and range. */
export const apiVersionsHandler = defineHandler<ApiVersionsRequest, ApiVersionsResponse>({
  apiKey: API_KEYS.ApiVersions,
  handle: () => ({ errorCode: E.NONE, apiKeys: ADVERTISED, throttleTimeMs: 0 }),
  errorResponse: (_request, errorCode) => ({ errorCode, apiKeys: ADVERTISED, throttleTimeMs: 0 }),
});

/** The ApiVersions range alone, for the answer to an unsupported ApiVersions version. */
export function apiVersionsRangeOnly(): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return ADVERTISED.filter((a) => a.apiKey === API_KEYS.ApiVersions);
}
