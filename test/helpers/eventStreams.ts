import { jetstreamManager, type StreamConfig } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** The smallest duplicate window JetStream accepts (nats-server refuses less than 100 ms). */
const SMALLEST_DUPLICATE_WINDOW_NS = 100_000_000;

/**
 * The stream a gateway with NATS_STREAM `name` and NATS_SUBJECT_PREFIX `subjectPrefix` publishes
 * to, as it would create it, but with JetStream's smallest duplicate window instead of the
 * default two minutes: an event published twice, even a second apart, is two messages, so that
 * "each event once in the stream" is the dispatcher's doing, not JetStream's deduplication.
 * Created before the gateways start, since they adopt a stream that exists.
 */
export function eventStreamConfig(name: string, subjectPrefix: string): Partial<StreamConfig> & { name: string } {
  return { name, subjects: [`${subjectPrefix}.>`], duplicate_window: SMALLEST_DUPLICATE_WINDOW_NS };
}

/** Creates `eventStreamConfig(name, subjectPrefix)` on the NATS server at `url`. */
export async function createEventStream(url: string, name: string, subjectPrefix: string): Promise<void> {
  const connection = await connect({ servers: url });
  try {
    await (await jetstreamManager(connection)).streams.add(eventStreamConfig(name, subjectPrefix));
  } finally {
    await connection.close();
  }
}
