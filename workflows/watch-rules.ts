import { type Priority, priorities } from './case-events.ts';

/**
 * Watch rules: which combinations of a watchlist and a fact about a signal deserve more attention.
 * Pure policy, no database: intake and the file-event pipeline pass in the facts of a signal and
 * the subject's current watchlist memberships, and act on the decision.
 */

/** Facts derived from a signal (src/intake/signal-facts.ts) that watch rules react to. */
export const signalFactKinds = [
  'removable_media',
  'personal_cloud',
  'personal_email',
  'source_code',
  'critical_file',
  'volume_anomaly',
] as const;
export type SignalFactKind = (typeof signalFactKinds)[number];

export interface SignalFact {
  kind: SignalFactKind;
  /** How many files or file events the fact covers, or null when the signal does not say. */
  count: number | null;
}

/** A current watchlist membership of the signal's subject. */
export interface WatchMembership {
  /** `departing`, `new-hires` or the name of a custom list. */
  list: string;
  /** For `departing`: local days until the last working day, negative after it; null when unknown. */
  daysToLastDay: number | null;
  /** For `new-hires`: local days since the hire date. */
  daysSinceHire: number | null;
}

/**
 * What a matching rule does: `open` opens a case even for a signal that would not open one (a
 * file event) and makes its priority at least high; `raise` raises the priority one level;
 * `annotate` only attaches the reason.
 */
export const watchActions = ['annotate', 'raise', 'open'] as const;
export type WatchAction = (typeof watchActions)[number];

export interface WatchRule {
  /** A lifecycle list, or `custom` for every list security manages. */
  list: 'departing' | 'new-hires' | 'custom';
  fact: SignalFactKind;
  action: WatchAction;
}

const exfiltration: readonly SignalFactKind[] = [
  'removable_media',
  'personal_cloud',
  'personal_email',
  'critical_file',
];

/**
 * The default rules. Departing employees moving data out open a case; their source code and
 * unusual volumes raise it. New hires' source code and critical files raise it, and other facts are
 * noted. Anything a custom list's member does raises it.
 */
export const defaultWatchRules: readonly WatchRule[] = [
  ...exfiltration.map((fact) => ({ list: 'departing' as const, fact, action: 'open' as const })),
  { list: 'departing', fact: 'source_code', action: 'raise' },
  { list: 'departing', fact: 'volume_anomaly', action: 'raise' },
  { list: 'new-hires', fact: 'source_code', action: 'raise' },
  { list: 'new-hires', fact: 'critical_file', action: 'raise' },
  { list: 'new-hires', fact: 'removable_media', action: 'annotate' },
  { list: 'new-hires', fact: 'personal_cloud', action: 'annotate' },
  { list: 'new-hires', fact: 'personal_email', action: 'annotate' },
  { list: 'new-hires', fact: 'volume_anomaly', action: 'annotate' },
  ...signalFactKinds.map((fact) => ({ list: 'custom' as const, fact, action: 'raise' as const })),
];

/** Why a signal got attention: the membership of the strongest match and the facts that matched. */
export interface WatchReason {
  list: string;
  daysToLastDay: number | null;
  daysSinceHire: number | null;
  facts: SignalFact[];
}

export interface WatchDecision {
  /** The strongest action of the matching rules, or `none` when no rule matched. */
  action: WatchAction | 'none';
  matches: Array<{ list: string; fact: SignalFactKind; action: WatchAction }>;
  reason: WatchReason | null;
}

function ruleList(list: string): WatchRule['list'] {
  return list === 'departing' || list === 'new-hires' ? list : 'custom';
}

/**
 * Decides what a signal's facts mean for a subject with these watchlist memberships. A file-event
 * pipeline opens a case for a non-alert signal when the action is `open`.
 */
export function decideWatchAction(
  facts: readonly SignalFact[],
  memberships: readonly WatchMembership[],
  rules: readonly WatchRule[] = defaultWatchRules,
): WatchDecision {
  const matches: WatchDecision['matches'] = [];
  let strongest: { membership: WatchMembership; rank: number } | null = null;

  for (const membership of memberships) {
    for (const fact of facts) {
      const rule = rules.find(
        (candidate) => candidate.list === ruleList(membership.list) && candidate.fact === fact.kind,
      );
      if (rule === undefined) continue;
      matches.push({ list: membership.list, fact: fact.kind, action: rule.action });
      const rank = watchActions.indexOf(rule.action);
      if (strongest === null || rank > strongest.rank) strongest = { membership, rank };
    }
  }

  if (strongest === null) return { action: 'none', matches, reason: null };
  const list = strongest.membership.list;
  const matched = new Set(
    matches.filter((match) => match.list === list).map((match) => match.fact),
  );
  return {
    action: watchActions[strongest.rank]!,
    matches,
    reason: {
      list,
      daysToLastDay: strongest.membership.daysToLastDay,
      daysSinceHire: strongest.membership.daysSinceHire,
      facts: facts.filter((fact) => matched.has(fact.kind)),
    },
  };
}

/** Applies a decision to a signal's own priority: `open` lifts it to at least high, `raise` by one level. */
export function watchPriority(base: Priority, decision: WatchDecision): Priority {
  const index = priorities.indexOf(base);
  if (decision.action === 'open') return priorities[Math.max(index, priorities.indexOf('high'))]!;
  if (decision.action === 'raise') return priorities[Math.min(index + 1, priorities.length - 1)]!;
  return base;
}
