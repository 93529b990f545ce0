import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../operators/streams-builder.ts';
import { SessionWindows } from '../../operators/session-windows.ts';
import { Suppressed } from '../../operators/suppressed.ts';
import { WindowedSerdes } from '../../operators/windowed-serdes.ts';
import { Serdes } from '../../core/serde/serdes.ts';
import { closeDrivers, testDriver } from './driver-helper.ts';
import { ensureWindowedStores } from './windowed-store-doubles.ts';

const str = Serdes.string();
const i64 = Serdes.int64();
const MIN = 60_000;

beforeAll(() => void ensureWindowedStores());
afterEach(closeDrivers);

function sessions(windows: SessionWindows, emit: 'onWindowUpdate' | 'onWindowClose' = 'onWindowUpdate') {
  const b = new StreamsBuilder();
  const table = b
    .stream<string, string>('events', { keySerde: str, valueSerde: str })
    .groupByKey()
    .windowedBy(windows, { emitStrategy: emit })
    .count({ storeName: 'sessions', caching: false });
  table.toStream().to('out', { valueSerde: i64 });
  const d = testDriver(b.build());
  const input = d.createInputTopic('events', str, str);
  const out = d.createOutputTopic('out', WindowedSerdes.sessionWindowed(str), i64);
  const read = (unit = 1) => out.readKeyValuesToList().map((r) => `${r.key!.key}@[${r.key!.window.start / unit},${r.key!.window.end / unit}]=${r.value}`);
  return { d, input, read, table };
}

describe('operators/session-windowed-k-stream', () => {
  it('Kafka javadoc example (gap 5): A@10, A@12, A@20 make two sessions; A@16 bridges them into [10,20] with all four values', () => {
    // The javadoc predates grace periods. With no grace, Kafka 3.x retains sessions only for the gap (5 ms):
    // at stream time 20 the session [10,12] has expired, so A@16 could not merge it. A grace of 10 keeps it.
    const { input, read } = sessions(SessionWindows.ofInactivityGapAndGrace(5, 10));
    input.pipeInput('A', '1', 10);
    input.pipeInput('A', '2', 12);
    input.pipeInput('A', '3', 20);
    expect(read()).toEqual(['A@[10,10]=1', 'A@[10,10]=null', 'A@[10,12]=2', 'A@[20,20]=1']);
    input.pipeInput('A', '4', 16);
    // The merged sessions' rows are deleted (tombstones) before the merged session is written.
    expect(read()).toEqual(['A@[10,12]=null', 'A@[20,20]=null', 'A@[10,20]=4']);
  });

  it('5-minute inactivity gap (developer guide scenario): sessions per key, a late-arriving record merges, a far record starts a new session', () => {
    const { input, read, d } = sessions(SessionWindows.ofInactivityGapAndGrace('5m', '10m'));
    input.pipeInput('green', 'x', 0);
    input.pipeInput('blue', 'x', 1 * MIN);
    input.pipeInput('green', 'x', 3 * MIN);
    expect(read(MIN)).toEqual(['green@[0,0]=1', 'blue@[1,1]=1', 'green@[0,0]=null', 'green@[0,3]=2']);
    input.pipeInput('blue', 'x', 9 * MIN); // 8 minutes after blue's session: a new session
    input.pipeInput('green', 'x', 13 * MIN); // 10 minutes after green's session: a new session
    input.pipeInput('blue', 'x', 5 * MIN); // out of order: within the gap of both blue sessions, merges them
    expect(read(MIN)).toEqual(['blue@[9,9]=1', 'green@[13,13]=1', 'blue@[1,1]=null', 'blue@[9,9]=null', 'blue@[1,9]=3']);
    const store = d.getStateStore<any>('sessions');
    expect([...store.findSessions('blue', 0, 100 * MIN)].map((s: any) => [s.key.window.start / MIN, s.key.window.end / MIN, s.value])).toEqual([[1, 9, 3]]);
  });

  it('a record whose session ended before stream time - grace is late: dropped and counted', () => {
    const { input, read, table } = sessions(SessionWindows.ofInactivityGapAndGrace(5, 2));
    input.pipeInput('k', 'x', 100);
    input.pipeInput('k', 'x', 90); // session [90,90] ends before 100 - 2: late
    input.pipeInput('k', 'x', 98); // joins [100,100] (within the gap): [98,100] ends at 100 >= 98: accepted
    expect(read()).toEqual(['k@[100,100]=1', 'k@[100,100]=null', 'k@[98,100]=2']);
    expect(table.droppedRecords!.late).toBe(1);
  });

  it("emitStrategy 'onWindowClose': each final session once, after stream time passes its end + grace", () => {
    const { input, read } = sessions(SessionWindows.ofInactivityGapWithNoGrace(5), 'onWindowClose');
    input.pipeInput('A', '1', 10);
    input.pipeInput('A', '2', 12);
    input.pipeInput('B', '1', 12);
    expect(read()).toEqual([]);
    input.pipeInput('A', '3', 30);
    expect(read()).toEqual(['A@[10,12]=2', 'B@[12,12]=1']);
  });

  it("onWindowClose (Kafka 3.x): a session closes when stream time passes end + gap + grace, so a record within the gap still extends it; results carry the session end as timestamp", () => {
    const { input, d } = sessions(SessionWindows.ofInactivityGapAndGrace(5, 2), 'onWindowClose');
    const out = d.createOutputTopic('out', WindowedSerdes.sessionWindowed(str), i64);
    const read = () => out.readRecordsToList().map((r) => `${r.key!.key}@[${r.key!.window.start},${r.key!.window.end}]=${r.value}@${r.timestamp}`);
    input.pipeInput('A', '1', 10);
    input.pipeInput('A', '2', 14);
    input.pipeInput('B', '1', 20); // close time 20 - 2 - 5 = 13: A [10,14] may still grow
    expect(read()).toEqual([]);
    input.pipeInput('A', '3', 19); // within the gap of A's end: extends it (with stream time - grace only, A would have been emitted at 20)
    input.pipeInput('B', '2', 26); // a new session (6 > gap after B@20); close time 19: nothing ends before it
    expect(read()).toEqual([]);
    input.pipeInput('C', '1', 27); // close time 20: A [10,19] closed, B [20,20] not yet
    expect(read()).toEqual(['A@[10,19]=3@19']);
    input.pipeInput('A', '4', 18); // its session [18,18] ends before close time 20: late, dropped
    input.pipeInput('C', '2', 40);
    expect(read()).toEqual(['B@[20,20]=1@20', 'B@[26,26]=1@26', 'C@[27,27]=1@27']);
  });

  for (const caching of [false, true]) {
    it(`onWindowClose, caching ${caching}: a session the store would expire at end + gap + grace is still there when it closes 1 ms later`, () => {
      const b = new StreamsBuilder();
      b.stream<string, string>('events', { keySerde: str, valueSerde: str })
        .groupByKey()
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 2), { emitStrategy: 'onWindowClose' })
        .count({ storeName: 'sessions', caching })
        .toStream()
        .to('out', { valueSerde: i64 });
      const d = testDriver(b.build());
      const input = d.createInputTopic('events', str, str);
      const out = d.createOutputTopic('out', WindowedSerdes.sessionWindowed(str), i64);
      input.pipeInput('A', 'x', 10);
      input.pipeInput('B', 'x', 17); // stream time = A's end + gap + grace: A not closed yet
      input.pipeInput('B', 'x', 18); // close time 11: A closes
      expect(out.readKeyValuesToList().map((r) => `${r.key!.key}@[${r.key!.window.start},${r.key!.window.end}]=${r.value}`)).toEqual(['A@[10,10]=1']);
    });
  }

  it('suppress(untilWindowCloses) on a session table waits for end + gap + grace too (Kafka: the suppression grace of session windows includes the gap)', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('events', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5))
      .count({ storeName: 'sessions', caching: false })
      .suppress(Suppressed.untilWindowCloses({ name: 'final' }))
      .toStream()
      .to('out', { valueSerde: i64 });
    const d = testDriver(b.build());
    const input = d.createInputTopic('events', str, str);
    const out = d.createOutputTopic('out', WindowedSerdes.sessionWindowed(str), i64);
    const read = () => out.readKeyValuesToList().map((r) => `${r.key!.key}@[${r.key!.window.start},${r.key!.window.end}]=${r.value}`);
    input.pipeInput('A', '1', 10);
    input.pipeInput('B', '1', 13); // A [10,10] ended before 13 but a record at 15 could still extend it
    input.pipeInput('A', '2', 15);
    expect(read()).toEqual([]);
    input.pipeInput('B', '2', 30);
    expect(read()).toEqual(['B@[13,13]=1', 'A@[10,15]=2']);
  });
});
