import type { Severity } from './signal.ts';

/**
 * Maps an Advanced Analytics risk score to a severity. The scale is open-ended: the Exabeam
 * fixtures in test/fixtures/feeds score users at 85.5 to 98 and sessions up to 313. The bands are
 * our own choice, not Exabeam's: 0 → info, below 90 → low, below 150 → medium, below 300 → high,
 * 300 and above → critical.
 */
export function severityFromExabeamRiskScore(score: number): Severity {
  if (score <= 0) return 'info';
  if (score < 90) return 'low';
  if (score < 150) return 'medium';
  if (score < 300) return 'high';
  return 'critical';
}

// Case and incident priorities: New-Scale cases send LOW, MEDIUM, HIGH and CRITICAL; Incident
// Responder sends the same words in lower case. They map one to one.
const severityByPriority: Record<string, Severity> = {
  LOW: 'low',
  MEDIUM: 'medium',
  HIGH: 'high',
  CRITICAL: 'critical',
};

/** Maps an Exabeam case or incident priority, or returns null for an unknown one. */
export function severityFromExabeamPriority(priority: string): Severity | null {
  return severityByPriority[priority.trim().toUpperCase()] ?? null;
}
