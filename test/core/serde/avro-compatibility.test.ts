import { describe, expect, it } from 'vitest';
import { canRead, checkAvroCompatibility, assertCompatibilityLevel } from '../../../core/serde/avro-compatibility.ts';
import { parseAvroSchema } from '../../../core/serde/avro-schema.ts';
import { InvalidArgumentError } from '../../../core/errors/log-errors.ts';
import { orderAmountString, orderNoDefault, orderV1, orderV2 } from './avro-fixtures.ts';

const v1 = parseAvroSchema(orderV1);
const v2 = parseAvroSchema(orderV2);
const noDefault = parseAvroSchema(orderNoDefault);
const amountString = parseAvroSchema(orderAmountString);

describe('core/serde/avro-compatibility', () => {
  it('canRead follows avsc resolvers: promotions yes, narrowing no', () => {
    expect(canRead(parseAvroSchema('long'), parseAvroSchema('int')).compatible).toBe(true);
    const narrowing = canRead(parseAvroSchema('int'), parseAvroSchema('long'));
    expect(narrowing.compatible).toBe(false);
    expect(narrowing.reasons[0]).toMatch(/long/);
  });

  it('BACKWARD: a field added with a default passes, without a default or with a changed type fails', () => {
    expect(checkAvroCompatibility(v2, [{ version: 1, type: v1 }], 'BACKWARD')).toEqual({ compatible: true, reasons: [] });
    const r = checkAvroCompatibility(noDefault, [{ version: 1, type: v1 }], 'BACKWARD');
    expect(r.compatible).toBe(false);
    expect(r.reasons[0]).toMatch(/^the new schema cannot read data written with version 1: .*customer/);
    expect(checkAvroCompatibility(amountString, [{ version: 1, type: v1 }], 'BACKWARD').compatible).toBe(false);
  });

  it('FORWARD and FULL check the other direction too; NONE checks nothing', () => {
    // v1 can read v2 data (ignores the new field), v2 can read v1 data (default): FULL compatible
    expect(checkAvroCompatibility(v2, [{ version: 1, type: v1 }], 'FULL').compatible).toBe(true);
    // removing a field without default: backward ok, forward not
    const removed = checkAvroCompatibility(v1, [{ version: 1, type: noDefault }], 'FORWARD');
    expect(removed.compatible).toBe(false);
    expect(removed.reasons[0]).toMatch(/^version 1 cannot read data written with the new schema/);
    expect(checkAvroCompatibility(v1, [{ version: 1, type: noDefault }], 'BACKWARD').compatible).toBe(true);
    expect(checkAvroCompatibility(amountString, [{ version: 1, type: v1 }], 'NONE').compatible).toBe(true);
  });

  it('transitive levels check every version, plain levels only the latest', () => {
    const history = [
      { version: 1, type: v1 },
      { version: 2, type: amountString },
    ];
    const candidate = parseAvroSchema({ ...orderAmountString, fields: [...orderAmountString.fields, { name: 'n', type: 'int', default: 0 }] });
    expect(checkAvroCompatibility(candidate, history, 'BACKWARD').compatible).toBe(true);
    const transitive = checkAvroCompatibility(candidate, history, 'BACKWARD_TRANSITIVE');
    expect(transitive.compatible).toBe(false);
    expect(transitive.reasons).toHaveLength(1);
    expect(transitive.reasons[0]).toMatch(/version 1/);
  });

  it('validates level names', () => {
    expect(() => assertCompatibilityLevel('SIDEWAYS')).toThrow(InvalidArgumentError);
    expect(() => assertCompatibilityLevel('FULL_TRANSITIVE')).not.toThrow();
  });
});
