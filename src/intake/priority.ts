import type { Priority } from '../../workflows/case-events.ts';
import { priorities } from '../../workflows/case-events.ts';
import type { Signal } from '../feeds/signal.ts';

/**
 * Maps a signal to a case priority. Feed parsers already fold each source's risk score into the
 * severity (the scales differ per vendor), so the priority follows the severity; `info` counts as low.
 */
export function signalPriority(signal: Signal): Priority {
  return signal.severity === 'info' ? 'low' : signal.severity;
}

/** Returns the higher of two priorities. */
export function maxPriority(a: Priority, b: Priority): Priority {
  return priorities.indexOf(a) >= priorities.indexOf(b) ? a : b;
}
