/**
 * JSON values as UTF-8 text, typed by the caller.
 */
import type { Serde } from './serde.ts';
import { deserializeError, reasonOf, serializeError } from './serde-failures.ts';

/** Options of {@link JsonSerde} (and `Serdes.json<T>(options)`). */
export interface JsonSerdeOptions<T> {
  /**
   * Checks a parsed value before it is returned: return false (or throw) to refuse it. A type guard
   * makes the check and the type agree. Runs on deserialize only; serialize trusts the type.
   */
  validate?: (value: unknown) => boolean;
  /** Passed to `JSON.parse` (e.g. to revive dates). */
  reviver?: (this: unknown, key: string, value: unknown) => unknown;
  /** Passed to `JSON.stringify`. */
  replacer?: (this: unknown, key: string, value: unknown) => unknown;
  /** The name in descriptions and errors. Default `json`. */
  name?: string;
}

/**
 * JSON as UTF-8 text. The type parameter is the caller's promise about the shape; give `validate` to
 * check it at the edge. Text that does not parse, or fails `validate`, raises a SerdeError naming the
 * topic (the runtime adds partition and offset). `null` stays `null` (a JSON `null` text also reads as
 * `null`, which downstream sees as a tombstone).
 *
 * @example
 * interface Order { id: string; amount: number }
 * const orders = new JsonSerde<Order>({ validate: (v) => typeof (v as Order).id === 'string' });
 * orders.deserialize('orders', Buffer.from('{"id":"a","amount":3}')); // { id: 'a', amount: 3 }
 */
export class JsonSerde<T> implements Serde<T> {
  readonly name: string;
  private readonly validate: ((value: unknown) => boolean) | undefined;
  private readonly reviver: ((this: unknown, key: string, value: unknown) => unknown) | undefined;
  private readonly replacer: ((this: unknown, key: string, value: unknown) => unknown) | undefined;

  constructor(options: JsonSerdeOptions<T> = {}) {
    this.name = options.name ?? 'json';
    this.validate = options.validate;
    this.reviver = options.reviver;
    this.replacer = options.replacer;
  }

  serialize(topic: string, data: T | null): Buffer | null {
    if (data === null || data === undefined) return null;
    let text: string | undefined;
    try {
      text = JSON.stringify(data, this.replacer);
    } catch (error) {
      throw serializeError(topic, this.name, reasonOf(error), error);
    }
    if (text === undefined) throw serializeError(topic, this.name, `${typeof data} has no JSON form`);
    return Buffer.from(text, 'utf8');
  }

  deserialize(topic: string, data: Buffer | null): T | null {
    if (data === null || data === undefined) return null;
    let value: unknown;
    try {
      value = JSON.parse(data.toString('utf8'), this.reviver);
    } catch (error) {
      throw deserializeError(topic, this.name, reasonOf(error), error);
    }
    if (this.validate !== undefined && value !== null) {
      let ok: boolean;
      try {
        ok = this.validate(value);
      } catch (error) {
        throw deserializeError(topic, this.name, `validation failed: ${reasonOf(error)}`, error);
      }
      if (!ok) throw deserializeError(topic, this.name, 'validation failed: the value does not have the expected shape');
    }
    return value as T | null;
  }
}
