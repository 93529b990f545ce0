import { InMemorySchemaRegistry } from '../../../core/serde/in-memory-schema-registry.ts';
import { schemaRegistryContract } from './schema-registry-contract.ts';

schemaRegistryContract('core/serde/in-memory-schema-registry', async () => ({
  registry: new InMemorySchemaRegistry(),
  cleanup: async () => undefined,
}));
