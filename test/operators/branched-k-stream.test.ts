import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { StringSerde } from '../../core/serde/string-serde.ts';
import { TopologyError } from '../../core/errors/streams-errors.ts';
import { TopologyTestDriver } from '../../core/runtime/topology-test-driver.ts';

const str = new StringSerde();

function levels() {
  const b = new StreamsBuilder();
  const s = b.stream<string, string>('logs', { keySerde: str, valueSerde: str });
  return { b, s };
}

describe('operators/branched-k-stream', () => {
  it('routes each record to the first matching named branch, else the default branch', () => {
    const { b, s } = levels();
    const branches = s
      .split({ name: 'level-' })
      .branch((_k, v) => v.startsWith('ERROR'), { name: 'error' })
      .branch((_k, v) => v.startsWith('WARN') || v.startsWith('ERROR'), { name: 'warn' })
      .defaultBranch({ name: 'other' });
    expect(Object.keys(branches)).toEqual(['level-error', 'level-warn', 'level-other']);
    branches['level-error']!.to('errors');
    branches['level-warn']!.to('warnings');
    branches['level-other']!.to('others');
    const h = new TopologyTestDriver(b.build());
    const input = h.createInputTopic('logs', str, str);
    for (const line of ['ERROR a', 'WARN b', 'INFO c', 'ERROR d']) input.pipeInput('k', line, 1, [{ key: 'h', value: Buffer.from('v') }]);
    const errors = h.createOutputTopic('errors', str, str).readRecordsToList();
    expect(errors.map((r) => r.value)).toEqual(['ERROR a', 'ERROR d']);
    expect(errors[0]!.headers.size).toBe(1);
    expect(h.createOutputTopic('warnings', str, str).readRecordsToList().map((r) => r.value)).toEqual(['WARN b']);
    expect(h.createOutputTopic('others', str, str).readRecordsToList().map((r) => r.value)).toEqual(['INFO c']);
  });

  it('names unnamed branches by index and the unnamed default branch 0; without default, unmatched records drop', () => {
    const { b, s } = levels();
    const branches = s.split().branch((_k, v) => v === 'a').branch((_k, v) => v === 'b').noDefaultBranch();
    expect(Object.keys(branches)).toEqual(['logs.split-0-1', 'logs.split-0-2']);
    branches['logs.split-0-1']!.to('a');
    branches['logs.split-0-2']!.to('b');
    const second = s.split().branch(() => false).defaultBranch();
    expect(Object.keys(second)).toEqual(['logs.split-1-1', 'logs.split-1-0']);
    const h = new TopologyTestDriver(b.build());
    const input = h.createInputTopic('logs', str, str);
    for (const v of ['a', 'c', 'b']) input.pipeInput(null, v);
    expect(h.createOutputTopic('a', str, str).readRecordsToList().map((r) => r.value)).toEqual(['a']);
    expect(h.createOutputTopic('b', str, str).readRecordsToList().map((r) => r.value)).toEqual(['b']);
  });

  it('applies withChain; a chain that returns nothing leaves the branch out of the result', () => {
    const { b, s } = levels();
    const branches = s
      .split({ name: 's-' })
      .branch((_k, v) => v.length > 3, { name: 'long', withChain: (br) => br.mapValues((v) => v.toUpperCase()) })
      .branch(() => true, { name: 'short', withChain: (br) => br.to('short') })
      .noDefaultBranch();
    expect(Object.keys(branches)).toEqual(['s-long']);
    branches['s-long']!.to('long', { valueSerde: str });
    const h = new TopologyTestDriver(b.build());
    const input = h.createInputTopic('logs', str, str);
    input.pipeInput('k', 'hello');
    input.pipeInput('k', 'hi');
    expect(h.createOutputTopic('long', str, str).readKeyValue()).toEqual({ key: 'k', value: 'HELLO' });
    expect(h.createOutputTopic('short', str, str).readKeyValue()).toEqual({ key: 'k', value: 'hi' });
  });

  it('shows the splitter and its branches in describe()', () => {
    const { b, s } = levels();
    s.split({ name: 'r-' }).branch(() => true, { name: 'x' }).defaultBranch({ name: 'y' });
    const text = b.build().describe().toString();
    expect(text).toContain('    Processor: r- (stores: [])\n      --> r-x, r-y\n      <-- logs\n');
    expect(text).toContain('    Processor: r-x (stores: [])\n      --> none\n      <-- r-\n');
  });

  it('refuses branches after the split is finished, and duplicate branch names', () => {
    const { s } = levels();
    const split = s.split({ name: 'd-' });
    split.branch(() => true, { name: 'x' });
    expect(() => split.branch(() => true, { name: 'x' })).toThrow(TopologyError);
    split.noDefaultBranch();
    expect(() => split.branch(() => true)).toThrow(/already finished/);
    expect(() => split.defaultBranch()).toThrow(/already finished/);
  });
});
