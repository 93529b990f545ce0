/**
 * The serde of the router's input topic: deserializing a raw line parses it, so a malformed line is a
 * deserialization error and goes to the dead-letter topic through the runtime's
 * `deserializationErrorHandler`, with headers naming the error, source topic, partition and offset.
 * Serializing writes the event back as a logfmt line that parses to the same event.
 */
import { SerdeError } from '../../core/errors/streams-errors.ts';
import type { Serde } from '../../core/serde/serde.ts';
import type { LogEvent } from './log-event.ts';
import { LogLineError, parseLogLine } from './log-line-parser.ts';

function quote(v: string | number): string {
  const s = String(v);
  return /^[^\s"=]+$/.test(s) ? s : `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

/** Raw log line <-> {@link LogEvent}. */
export const logLineSerde: Serde<LogEvent> = {
  name: 'log-line',
  deserialize(topic, data) {
    if (data === null) return null;
    try {
      return parseLogLine(data.toString('utf8'));
    } catch (e) {
      if (!(e instanceof LogLineError)) throw e;
      throw new SerdeError({ operation: 'deserialize', serde: 'log-line', reason: e.message, role: 'value' }, { topic });
    }
  },
  serialize(_topic, event) {
    if (event === null) return null;
    let line = `ts=${new Date(event.timestamp).toISOString()} level=${event.level} service=${event.service} msg=${quote(event.message)}`;
    for (const [k, v] of Object.entries(event.fields)) line += ` ${k}=${quote(v)}`;
    return Buffer.from(line, 'utf8');
  },
};
