import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { CaseState } from '../../workflows/case-events.ts';
import type { CaseContext } from '../../workflows/index.ts';
import { loadCase } from '../cases/load-case.ts';
import { loadPseudonymGeneration, pseudonymFor } from '../cases/pseudonym.ts';
import { severities } from '../feeds/signal.ts';
import { type StoredWatchReason, storedWatchReasonSchema } from '../intake/watch-reason.ts';
import { loadRevealState, type RevealOptions } from '../privacy/load-reveal-state.ts';
import type { Executor } from '../store/db.ts';
import { people, signals } from '../store/schema.ts';
import type { Audience } from './actions.ts';
import { caseViewInputFrom } from './case-view-input.ts';
import type { SignalSummary } from './evidence.ts';
import type { Locale } from './messages/index.ts';
import { buildCaseView, type CaseView, type CaseViewInput } from './view-model.ts';
import { strongestWatchReason } from './watch-reason-text.ts';

/** The parts of a stored signal (the `signals.signal` column) that the evidence list shows. */
const storedSignalSchema = z.looseObject({
  indicators: z.array(z.string()).catch([]),
  files: z.array(z.unknown()).catch([]),
  destination: z
    .looseObject({ category: z.string().nullish(), name: z.string().nullish() })
    .nullish()
    .catch(null),
  watch: storedWatchReasonSchema.nullish().catch(null),
});

type SignalRow = typeof signals.$inferSelect;

/**
 * Loads everything a case card shows: the case row and its context, the latest version of each of
 * its signals, the subject's directory name and pseudonym. Pass a transaction as `db` to read
 * inside it.
 */
export async function loadCaseViewInput(
  db: Executor,
  pseudonymKey: Buffer,
  caseRef: string,
  options: RevealOptions = {},
): Promise<CaseViewInput> {
  const row = await loadCase(db, caseRef);
  const context = (row.snapshot as { context: CaseContext }).context;

  const signalRows = await db
    .select()
    .from(signals)
    .where(eq(signals.caseId, row.id))
    .orderBy(asc(signals.observedAt), asc(signals.version));

  let subjectName: string | null = null;
  if (row.subjectPersonId !== null) {
    const [person] = await db
      .select({ name: people.name })
      .from(people)
      .where(eq(people.id, row.subjectPersonId))
      .limit(1);
    subjectName = person?.name ?? null;
  }

  const generation = await loadPseudonymGeneration(db, row.subjectKey);
  const latest = latestVersions(signalRows);
  const input = caseViewInputFrom({
    id: row.id,
    key: row.key,
    version: row.version,
    state: row.state as CaseState,
    context,
    pseudonym: pseudonymFor(pseudonymKey, row.subjectKey, generation),
    subjectName,
    signals: latest.map(summarizeSignal),
    watchReason: strongestWatchReason(latest.map(watchReasonOf)),
  });
  input.reveal = await loadRevealState(db, row.id, options);
  return input;
}

/** Loads a case and builds its view for one audience; the outbox worker and the chat listeners use it. */
export async function loadCaseView(
  db: Executor,
  pseudonymKey: Buffer,
  caseRef: string,
  audience: Audience,
  locale: Locale,
  options: RevealOptions = {},
): Promise<CaseView> {
  const input = await loadCaseViewInput(db, pseudonymKey, caseRef, options);
  return buildCaseView(input, audience, locale);
}

/** Keeps the newest version of each source record; an updated record is one signal, not two. */
function latestVersions(rows: SignalRow[]): SignalRow[] {
  const latest = new Map<string, SignalRow>();
  for (const row of rows) {
    const key = `${row.source}\u0000${row.externalId}`;
    const kept = latest.get(key);
    if (kept === undefined || row.version > kept.version) latest.set(key, row);
  }
  return [...latest.values()];
}

function watchReasonOf(row: SignalRow): StoredWatchReason | null {
  const parsed = storedSignalSchema.safeParse(row.signal);
  return parsed.success ? (parsed.data.watch ?? null) : null;
}

function summarizeSignal(row: SignalRow): SignalSummary {
  const parsed = storedSignalSchema.safeParse(row.signal);
  const stored = parsed.success ? parsed.data : { indicators: [], files: [], destination: null };
  const severity = severities.find((candidate) => candidate === row.severity) ?? 'info';

  return {
    source: row.source,
    title: row.title,
    severity,
    observedAt: row.observedAt.toISOString(),
    indicators: stored.indicators,
    fileCount: stored.files.length,
    destination: describeDestination(stored.destination ?? null),
    riskScore: row.riskScore,
  };
}

/** Names a destination as "USB (Removable Media)", or by whichever of the two parts the feed sent. */
function describeDestination(
  destination: { category?: string | null | undefined; name?: string | null | undefined } | null,
): string | null {
  const name = destination?.name?.trim() || null;
  const category = destination?.category?.trim() || null;
  if (name !== null && category !== null && name !== category) return `${name} (${category})`;
  return name ?? category;
}
