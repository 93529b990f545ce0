/**
 * A schema registry stored in the log itself: every version and compatibility setting is a record of
 * the compacted `_schemas` topic, as Confluent Schema Registry stores them in Kafka, so a registry
 * opened later (or in a restarted process) on the same log reads the same subjects, versions and ids.
 *
 * Records (key -> value, JSON):
 *   {"keytype":"SCHEMA","subject":S,"version":V,"magic":1} -> {"subject":S,"version":V,"id":I,"schema":TEXT,"deleted":false}
 *   {"keytype":"CONFIG","subject":S|null,"magic":0}        -> {"compatibilityLevel":LEVEL}
 */
import type { EmbeddedLog } from '../clients/embedded/embedded-log.ts';
import type { Producer } from '../clients/log-client.ts';
import { decodeRecords, forEachBatch, type DecodedRecord } from '../log/record-batch.ts';
import { IllegalStateError, InvalidConfigError } from '../errors/log-errors.ts';
import { SchemaNotFoundError } from '../errors/schema-registry-errors.ts';
import { canonicalAvroSchema, parseAvroSchema, type AvroSchemaInput } from './avro-schema.ts';
import { assertCompatibilityLevel, COMPATIBILITY_LEVELS, type CompatibilityLevel, type CompatibilityResult } from './avro-compatibility.ts';
import { SchemaCatalog } from './schema-catalog.ts';
import type { RegisteredSchema, SchemaRegistry } from './schema-registry.ts';

/** Options of {@link EmbeddedSchemaRegistry.open}. */
export interface EmbeddedSchemaRegistryOptions {
  /** The topic that stores the schemas (created compacted, one partition, when missing). Default `_schemas`. */
  topic?: string;
  /**
   * The default compatibility level when the topic holds none yet. Default `BACKWARD`. A level stored
   * in the topic (by {@link EmbeddedSchemaRegistry.setCompatibility}) wins.
   */
  compatibility?: CompatibilityLevel;
}

const READ_BYTES = 1 << 20;
const MAX_REGISTER_ATTEMPTS = 5;

/** Registrations on one log run one at a time, even from several registry objects. */
const registrationLocks = new WeakMap<EmbeddedLog, Promise<unknown>>();

function locked<T>(log: EmbeddedLog, work: () => Promise<T>): Promise<T> {
  const previous = registrationLocks.get(log) ?? Promise.resolve();
  const next = previous.then(work, work);
  registrationLocks.set(log, next.catch(() => undefined));
  return next;
}

/**
 * A {@link SchemaRegistry} kept in a compacted topic of an {@link EmbeddedLog}. On open it creates the
 * topic if needed and reads it from the start; before every registration it reads what other registry
 * objects appended, so ids are assigned once (registrations on the same log are serialized). A new
 * version that breaks the subject's compatibility level (default BACKWARD) is refused with an
 * IncompatibleSchemaError. The `*Sync` look-ups read new records of the topic synchronously, so a
 * deserializer meeting an id registered elsewhere finds it without awaiting.
 *
 * The log stays the caller's: {@link EmbeddedSchemaRegistry.close} releases only the registry's producer.
 * Records in the topic that are not registry records are skipped and counted in `skippedRecords`.
 *
 * @example
 * const log = await EmbeddedLog.open({ dir });
 * const registry = await EmbeddedSchemaRegistry.open(log);
 * const id = await registry.register('orders-value', orderSchema);
 */
export class EmbeddedSchemaRegistry implements SchemaRegistry {
  /** The topic the schemas live in. */
  readonly topic: string;
  /** Records of the topic that could not be read as registry records. */
  skippedRecords = 0;
  private readonly catalog: SchemaCatalog;
  private position = 0;

  private constructor(
    private readonly log: EmbeddedLog,
    private readonly producer: Producer,
    topic: string,
    level: CompatibilityLevel,
  ) {
    this.topic = topic;
    this.catalog = new SchemaCatalog(level);
  }

  /**
   * Opens the registry on `log`: creates the topic when missing and reads it.
   * @throws InvalidConfigError when the topic exists with more than one partition; InvalidArgumentError for a bad level
   */
  static async open(log: EmbeddedLog, options: EmbeddedSchemaRegistryOptions = {}): Promise<EmbeddedSchemaRegistry> {
    const topic = options.topic ?? '_schemas';
    const level = options.compatibility ?? 'BACKWARD';
    assertCompatibilityLevel(level);
    const admin = log.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      });
    } finally {
      await admin.disconnect();
    }
    const described = log.logManager.describeTopic(topic);
    if (described !== undefined && described.numPartitions !== 1) {
      throw new InvalidConfigError(`Schema topic "${topic}" must have one partition, it has ${described.numPartitions}`);
    }
    const producer = log.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const registry = new EmbeddedSchemaRegistry(log, producer, topic, level);
    registry.refresh();
    return registry;
  }

  /** Reads records appended to the topic since the last read (by any registry on this log). */
  refresh(): void {
    const partition = this.log.logManager.partition(this.topic, 0);
    if (this.position < partition.logStartOffset) this.position = partition.logStartOffset;
    while (this.position < partition.highWatermark) {
      const from = this.position;
      const buf = partition.read(from, READ_BYTES).records;
      let next = from;
      forEachBatch(buf, (pos, header) => {
        if (header.lastOffset < from) return;
        if (!header.isControl) {
          for (const record of decodeRecords(buf, pos, `${this.topic}-0 at byte ${pos}`)) {
            if (record.offset >= from) this.applyRecord(record);
          }
        }
        next = header.lastOffset + 1;
      });
      if (next === from) return;
      this.position = next;
    }
  }

  async register(subject: string, schema: AvroSchemaInput): Promise<number> {
    return await locked(this.log, async () => {
      for (let attempt = 1; ; attempt++) {
        const id = await this.registerOnce(subject, schema);
        if (id !== undefined) return id;
        if (attempt === MAX_REGISTER_ATTEMPTS) {
          throw new IllegalStateError(`Could not register a schema under "${subject}": other writers of "${this.topic}" took ${attempt} versions or ids first`);
        }
      }
    });
  }

  /** One attempt: undefined when another writer took the version or id first (read it, then plan again). */
  private async registerOnce(subject: string, schema: AvroSchemaInput): Promise<number | undefined> {
    this.refresh();
    const plan = this.catalog.plan(subject, schema);
    if (plan.kind === 'existing') return plan.entry.id;
    const e = plan.entry;
    await this.producer.send({
      topic: this.topic,
      messages: [
        {
          key: JSON.stringify({ keytype: 'SCHEMA', subject: e.subject, version: e.version, magic: 1 }),
          value: JSON.stringify({ subject: e.subject, version: e.version, id: e.id, schema: e.schema, deleted: false }),
        },
      ],
    });
    this.refresh();
    return this.catalog.find(subject, e.schema)?.id;
  }

  async lookup(subject: string, schema: AvroSchemaInput): Promise<RegisteredSchema> {
    this.refresh();
    const found = this.catalog.find(subject, canonicalAvroSchema(parseAvroSchema(schema)));
    if (found === undefined) throw new SchemaNotFoundError(`The schema under subject "${subject}"`);
    return found;
  }

  async getById(id: number): Promise<string> {
    const schema = this.getByIdSync(id);
    if (schema === undefined) throw new SchemaNotFoundError(`Schema id ${id}`);
    return schema;
  }

  async getLatest(subject: string): Promise<RegisteredSchema> {
    this.refresh();
    return this.catalog.latest(subject);
  }

  async getVersion(subject: string, version: number): Promise<RegisteredSchema> {
    this.refresh();
    return this.catalog.version(subject, version);
  }

  async subjects(): Promise<string[]> {
    this.refresh();
    return this.catalog.subjects();
  }

  async checkCompatibility(subject: string, schema: AvroSchemaInput): Promise<CompatibilityResult> {
    this.refresh();
    return this.catalog.check(subject, schema);
  }

  async getCompatibility(subject: string): Promise<CompatibilityLevel> {
    this.refresh();
    return this.catalog.level(subject);
  }

  async setCompatibility(subject: string | null, level: CompatibilityLevel): Promise<void> {
    assertCompatibilityLevel(level);
    await locked(this.log, async () => {
      await this.producer.send({
        topic: this.topic,
        messages: [{ key: JSON.stringify({ keytype: 'CONFIG', subject, magic: 0 }), value: JSON.stringify({ compatibilityLevel: level }) }],
      });
      this.refresh();
    });
  }

  getByIdSync(id: number): string | undefined {
    const known = this.catalog.schemaById(id);
    if (known !== undefined) return known;
    this.refresh();
    return this.catalog.schemaById(id);
  }

  lookupIdSync(subject: string, canonicalSchema: string): number | undefined {
    const known = this.catalog.find(subject, canonicalSchema);
    if (known !== undefined) return known.id;
    this.refresh();
    return this.catalog.find(subject, canonicalSchema)?.id;
  }

  /** Disconnects the registry's producer. The log stays open. */
  async close(): Promise<void> {
    await this.producer.disconnect();
  }

  private applyRecord(record: DecodedRecord): void {
    if (record.key === null || record.value === null) {
      if (record.key === null) this.skippedRecords++;
      return;
    }
    let key: unknown;
    let value: unknown;
    try {
      key = JSON.parse(record.key.toString('utf8'));
      value = JSON.parse(record.value.toString('utf8'));
    } catch {
      this.skippedRecords++;
      return;
    }
    const k = key as { keytype?: unknown; subject?: unknown };
    const v = value as { subject?: unknown; version?: unknown; id?: unknown; schema?: unknown; compatibilityLevel?: unknown };
    if (k.keytype === 'SCHEMA' && typeof v.subject === 'string' && Number.isSafeInteger(v.version) && Number.isSafeInteger(v.id) && typeof v.schema === 'string') {
      this.catalog.apply({ subject: v.subject, version: v.version as number, id: v.id as number, schema: v.schema });
    } else if (
      k.keytype === 'CONFIG' &&
      (k.subject === null || typeof k.subject === 'string') &&
      (COMPATIBILITY_LEVELS as readonly unknown[]).includes(v.compatibilityLevel)
    ) {
      this.catalog.applyLevel(k.subject as string | null, v.compatibilityLevel as CompatibilityLevel);
    } else {
      this.skippedRecords++;
    }
  }
}
