import { z } from 'zod';
import { signalFactKinds, watchActions } from '../../workflows/watch-rules.ts';

/** The watch-rule reason stored with a signal (`signals.signal.watch`), and read back for the case card. */
export const storedWatchReasonSchema = z.object({
  action: z.enum(watchActions),
  list: z.string(),
  daysToLastDay: z.number().int().nullable(),
  daysSinceHire: z.number().int().nullable(),
  facts: z.array(z.object({ kind: z.enum(signalFactKinds), count: z.number().int().nullable() })),
});
export type StoredWatchReason = z.infer<typeof storedWatchReasonSchema>;
