/**
 * The `tributary` command line. Works on an embedded log data directory (`--data DIR`):
 *
 *   tributary topics list|describe NAME|create NAME [--partitions N] [--config k=v ...]|delete NAME
 *   tributary produce TOPIC [--key-separator SEP]      lines from stdin, one record each
 *   tributary consume TOPIC [--from-beginning] [--group G] [--max-messages N] [--idle-ms MS]
 *   tributary groups list|describe GROUP
 *   tributary broker [--port 9092] [--host H] [--advertised-host H --advertised-port P] [--flush always|os|MS]
 *   tributary run APP_MODULE (--bootstrap host:port | --data DIR) [--state-dir DIR]   a topology worker
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { EmbeddedLog } from '../core/clients/embedded/embedded-log.ts';
import { TributaryError } from '../core/errors/tributary-error.ts';
import { runBrokerCommand } from './broker-command.ts';

const USAGE = `usage: tributary <command> [options]

  topics list                         list topics
  topics describe NAME                partitions, offsets and config of a topic
  topics create NAME [--partitions N] [--config key=value ...]
  topics delete NAME
  produce TOPIC [--key-separator SEP] produce stdin lines (key SEP value when a separator is given)
  consume TOPIC [--from-beginning] [--group G] [--max-messages N] [--idle-ms MS]
  groups list                         list consumer groups
  groups describe GROUP               members, committed offsets and lag
  broker [--port 9092] [--host 127.0.0.1] [--advertised-host H] [--advertised-port P] [--flush always|os|MS]
                                      serve the data directory over the Kafka protocol until SIGTERM/SIGINT
  run APP_MODULE (--bootstrap host:port[,...] | --data DIR) [--state-dir DIR] [--client-id ID] [--config key=value ...]
                                      run a topology worker (the module exports topology and config) until SIGTERM/SIGINT

common options:
  --data DIR                          embedded log data directory (default ./.tributary-data/log)
`;

if (process.argv[2] === 'run') {
  const { runRunCommand } = await import('./run-command.ts'); // the streams runtime loads only for `run`
  process.exit(await runRunCommand(process.argv.slice(3)));
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    data: { type: 'string', default: './.tributary-data/log' },
    partitions: { type: 'string', default: '1' },
    config: { type: 'string', multiple: true },
    'key-separator': { type: 'string' },
    'from-beginning': { type: 'boolean', default: false },
    group: { type: 'string' },
    'max-messages': { type: 'string' },
    'idle-ms': { type: 'string', default: '1000' },
    help: { type: 'boolean', short: 'h', default: false },
    port: { type: 'string', default: '9092' },
    host: { type: 'string', default: '127.0.0.1' },
    'advertised-host': { type: 'string' },
    'advertised-port': { type: 'string' },
    flush: { type: 'string', default: 'os' },
  },
});

function fail(message: string): never {
  console.error(`tributary: ${message}`);
  process.exit(2);
}

const [command, sub, arg] = positionals;
if (values.help || command === undefined || command === 'help') {
  console.log(USAGE);
  process.exit(0);
}

if (command === 'broker') {
  process.exit(
    await runBrokerCommand({
      data: values.data,
      host: values.host,
      port: values.port,
      advertisedHost: values['advertised-host'],
      advertisedPort: values['advertised-port'],
      flush: values.flush,
    }),
  );
}

const log = await EmbeddedLog.open({ dir: values.data }).catch((e: unknown) =>
  fail(e instanceof Error ? e.message : String(e)),
);
const admin = log.admin();
await admin.connect();

try {
  if (command === 'topics') {
    if (sub === 'list') {
      for (const name of (await admin.listTopics()).sort()) console.log(name);
    } else if (sub === 'create' && arg) {
      const configEntries = (values.config ?? []).map((kv) => {
        const i = kv.indexOf('=');
        if (i <= 0) fail(`--config takes key=value, got "${kv}"`);
        return { name: kv.slice(0, i), value: kv.slice(i + 1) };
      });
      await admin.createTopics({ topics: [{ topic: arg, numPartitions: Number(values.partitions), configEntries }] });
      console.log(`created topic ${arg} with ${values.partitions} partition(s)`);
    } else if (sub === 'delete' && arg) {
      await admin.deleteTopics({ topics: [arg] });
      console.log(`deleted topic ${arg}`);
    } else if (sub === 'describe' && arg) {
      const offsets = await admin.fetchTopicOffsets(arg);
      console.log(`topic ${arg}`);
      for (const o of offsets) console.log(`  partition ${o.partition}: log start ${o.low}, log end ${o.high}`);
      const { resources } = await admin.describeConfigs({ resources: [{ type: 2, name: arg }], includeSynonyms: false });
      for (const entry of resources[0]?.configEntries ?? []) {
        console.log(`  ${entry.configName}=${entry.configValue}${entry.isDefault ? '' : ' (set)'}`);
      }
    } else {
      fail('topics takes list, describe NAME, create NAME or delete NAME');
    }
  } else if (command === 'produce' && sub) {
    const producer = log.producer();
    await producer.connect();
    const separator = values['key-separator'];
    let count = 0;
    let pending: { key: string | null; value: string }[] = [];
    for await (const line of createInterface({ input: process.stdin })) {
      const i = separator === undefined ? -1 : line.indexOf(separator);
      pending.push(i < 0 ? { key: null, value: line } : { key: line.slice(0, i), value: line.slice(i + separator!.length) });
      if (pending.length >= 1000) {
        await producer.send({ topic: sub, messages: pending });
        count += pending.length;
        pending = [];
      }
    }
    if (pending.length > 0) await producer.send({ topic: sub, messages: pending });
    count += pending.length;
    await producer.disconnect();
    console.error(`produced ${count} record(s) to ${sub}`);
  } else if (command === 'consume' && sub) {
    const max = values['max-messages'] === undefined ? Infinity : Number(values['max-messages']);
    const idleMs = Number(values['idle-ms']);
    const consumer = log.consumer({ groupId: values.group ?? `tributary-console-${process.pid}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [sub], fromBeginning: values['from-beginning'] });
    let seen = 0;
    let idle: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      const arm = (): void => {
        clearTimeout(idle);
        idle = setTimeout(resolve, idleMs);
      };
      arm();
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          if (seen >= max) return;
          const key = message.key === null ? '' : `${message.key.toString()}\t`;
          console.log(`${partition}\t${message.offset}\t${key}${message.value?.toString() ?? 'null'}`);
          seen++;
          if (seen >= max) resolve();
          else arm();
        },
      });
    });
    clearTimeout(idle);
    await consumer.disconnect();
    console.error(`consumed ${seen} record(s) from ${sub}`);
  } else if (command === 'groups') {
    if (sub === 'list') {
      for (const g of (await admin.listGroups()).groups) console.log(`${g.groupId}\t${g.protocolType}`);
    } else if (sub === 'describe' && arg) {
      const { groups } = await admin.describeGroups([arg]);
      const g = groups[0]!;
      console.log(`group ${arg}: ${g.state}, protocol ${g.protocol || '-'}, ${g.members.length} member(s)`);
      for (const p of await admin.fetchGroupLag({ groupId: arg })) {
        console.log(`  ${p.topic}-${p.partition}: committed ${p.offset}, end ${p.highWatermark}, lag ${p.lag}`);
      }
    } else {
      fail('groups takes list or describe GROUP');
    }
  } else {
    fail(`unknown command "${positionals.join(' ')}"\n\n${USAGE}`);
  }
} catch (e) {
  if (e instanceof TributaryError) fail(`${e.code}: ${e.message}`);
  throw e;
} finally {
  await admin.disconnect();
  await log.close();
}
