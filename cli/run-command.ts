/**
 * `tributary run`: runs a topology worker until SIGTERM or SIGINT, then closes it gracefully (commit,
 * leave the group). Several workers with the same application id divide the tasks between them and take
 * over each other's tasks.
 *
 *   tributary run <app module> (--bootstrap host:port[,host:port...] | --data DIR) [--state-dir DIR] [--client-id ID]
 *                 [--config key=value ...]
 *
 * `--bootstrap` runs on a Kafka cluster or `tributary broker` (the kafkajs backend), `--data` on an
 * embedded log directory. The app module exports (named or as its default export):
 *
 *   topology  a PhysicalTopology, or a function (sync or async) building it
 *   config    the TributaryStreams config (applicationId, serdes, commitIntervalMs, ...) or a function
 *             returning it; its `log` is replaced by the command line's
 *
 * The worker reports on stdout, one line each: `state <STATE> tasks <ids>` after every state change and
 * `restored <task> <store> <records>` once a store of a task is restored. `--config` overrides numeric
 * settings of the module's config ({@link NUMERIC_SETTINGS}: `--config sessionTimeoutMs=4000`).
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TributaryStreams } from '../core/runtime/tributary-streams.ts';
import type { StreamsConfig, StreamsLogConfig } from '../core/runtime/streams-config.ts';
import type { PhysicalTopology } from '../core/topology/physical-topology.ts';
import { TributaryError } from '../core/errors/tributary-error.ts';

/** What `tributary run` expects from an app module. */
export interface WorkerAppModule {
  /** The topology, or a function building it (called once per worker). */
  readonly topology: PhysicalTopology | (() => PhysicalTopology | Promise<PhysicalTopology>);
  /** The config; its `log` is replaced by `--bootstrap` / `--data`. */
  readonly config: WorkerConfig | (() => WorkerConfig | Promise<WorkerConfig>);
}

/** A worker's config: a TributaryStreams config whose `log` the command line decides. */
export type WorkerConfig = Omit<StreamsConfig, 'log'> & { readonly log?: StreamsLogConfig };

/** Options of {@link runWorker}, as the command line gives them. */
export interface RunCommandOptions {
  /** Path of the app module (relative to the working directory). */
  readonly module: string;
  /** Comma-separated `host:port` list: the kafkajs backend. */
  readonly bootstrap?: string | undefined;
  /** Embedded log directory. */
  readonly data?: string | undefined;
  /** Overrides the config's `stateDir` (each worker on one machine needs its own). */
  readonly stateDir?: string | undefined;
  /** Client id on Kafka. Default `<applicationId>-worker`. */
  readonly clientId?: string | undefined;
  /** `key=value` overrides of {@link NUMERIC_SETTINGS}. */
  readonly settings?: readonly string[] | undefined;
}

/** The config settings `--config key=value` may override (numbers). */
export const NUMERIC_SETTINGS = [
  'commitIntervalMs',
  'sessionTimeoutMs',
  'heartbeatIntervalMs',
  'maxBufferedRecordsPerPartition',
  'fetchMaxBytesPerPartition',
  'maxRecordsPerTaskPerTurn',
  'metricsIntervalMs',
  'cacheMaxBytes',
  'idleAdvanceMs',
  'restoreBatchBytes',
  'transactionTimeoutMs',
] as const;

/** Thrown for a module or a command line `tributary run` cannot use. */
class RunUsageError extends Error {}

/**
 * Parses the arguments after `run` and runs the worker.
 * @returns the process exit code: 0 after a graceful close, 1 when the app failed, 2 for a bad command line or module
 * @example
 * process.exit(await runRunCommand(['examples/wordcount/worker-app.ts', '--bootstrap', 'localhost:9092']));
 */
export async function runRunCommand(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        bootstrap: { type: 'string' },
        data: { type: 'string' },
        'state-dir': { type: 'string' },
        'client-id': { type: 'string' },
        config: { type: 'string', multiple: true },
      },
    });
  } catch (error) {
    console.error(`tributary run: ${(error as Error).message}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    console.error('usage: tributary run <app module> (--bootstrap host:port | --data DIR) [--state-dir DIR] [--client-id ID] [--config key=value ...]');
    return 2;
  }
  return runWorker({
    module: positionals[0]!,
    bootstrap: values.bootstrap,
    data: values.data,
    stateDir: values['state-dir'],
    clientId: values['client-id'],
    settings: values.config,
  });
}

/**
 * Loads the app module, starts the worker, and closes it on SIGTERM/SIGINT (a second signal exits at once).
 * @returns the exit code (see {@link runRunCommand})
 */
export async function runWorker(options: RunCommandOptions): Promise<number> {
  let app: TributaryStreams;
  try {
    const { topology, config } = await loadApp(options.module);
    const log = logOption(options, config.applicationId);
    const overrides = parseSettings(options.settings ?? []);
    app = new TributaryStreams(topology, { ...config, ...overrides, log, ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }) });
  } catch (error) {
    console.error(`tributary run: ${describe(error)}`);
    return 2;
  }
  app.on('stateChange', (state) => console.log(`state ${state} tasks ${app.tasks().join(',') || '-'}`));
  app.on('restore', (p) => {
    if (p.done) console.log(`restored ${p.taskId} ${p.store} ${p.restored}`);
  });
  let failed = false;
  app.on('error', (error) => {
    failed = true;
    console.error(`tributary run: ${describe(error)}${error.cause === undefined ? '' : ` (${describe(error.cause)})`}`);
  });
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        console.error(`tributary run: ${signal} again: exiting without closing`);
        process.exit(1);
      }
      stopping = true;
      app.close().then(
        () => done(failed ? 1 : 0),
        (error: unknown) => {
          console.error(`tributary run: close failed: ${describe(error)}`);
          done(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    app.on('error', () => {
      if (!stopping) stop('SIGTERM');
    });
    app.start().catch((error: unknown) => {
      failed = true;
      console.error(`tributary run: start failed: ${describe(error)}`);
      if (!stopping) stop('SIGTERM');
    });
  });
}

/**
 * Imports an app module and resolves its topology and config.
 * @throws RunUsageError when the module lacks `topology` or `config` (named or in its default export)
 */
export async function loadApp(modulePath: string): Promise<{ topology: PhysicalTopology; config: WorkerConfig }> {
  const imported = (await import(pathToFileURL(resolve(modulePath)).href)) as Partial<WorkerAppModule> & { default?: Partial<WorkerAppModule> };
  const source = imported.topology !== undefined ? imported : (imported.default ?? {});
  if (source.topology === undefined || source.config === undefined) {
    throw new RunUsageError(`${modulePath} must export "topology" (or a function building it) and "config" (named or in its default export)`);
  }
  const topology = typeof source.topology === 'function' ? await source.topology() : source.topology;
  const config = typeof source.config === 'function' ? await source.config() : source.config;
  if (config === null || typeof config !== 'object' || typeof config.applicationId !== 'string') {
    throw new RunUsageError(`${modulePath}: "config" must be an object with an applicationId`);
  }
  return { topology, config };
}

function logOption(options: RunCommandOptions, applicationId: string): StreamsLogConfig {
  if ((options.bootstrap === undefined) === (options.data === undefined)) {
    throw new RunUsageError('give exactly one of --bootstrap host:port (Kafka or tributary broker) and --data DIR (embedded log)');
  }
  if (options.data !== undefined) return { embedded: { dir: options.data } };
  const brokers = options.bootstrap!.split(',').map((b) => b.trim()).filter((b) => b.length > 0);
  return { kafka: { brokers, clientId: options.clientId ?? `${applicationId}-worker` } };
}

function parseSettings(settings: readonly string[]): Partial<Record<(typeof NUMERIC_SETTINGS)[number], number>> {
  const out: Partial<Record<(typeof NUMERIC_SETTINGS)[number], number>> = {};
  for (const kv of settings) {
    const i = kv.indexOf('=');
    const key = kv.slice(0, i) as (typeof NUMERIC_SETTINGS)[number];
    const value = Number(kv.slice(i + 1));
    if (i <= 0 || !NUMERIC_SETTINGS.includes(key)) throw new RunUsageError(`--config takes key=value with key one of ${NUMERIC_SETTINGS.join(', ')}; got "${kv}"`);
    if (!Number.isFinite(value) || kv.slice(i + 1).trim() === '') throw new RunUsageError(`--config ${key} needs a number, got "${kv.slice(i + 1)}"`);
    out[key] = value;
  }
  return out;
}

function describe(error: unknown): string {
  if (error instanceof TributaryError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
