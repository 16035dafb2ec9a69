import type { Severity } from './signal.ts';

// Incydr names risk severities NO_RISK, LOW, MODERATE, HIGH and CRITICAL (file events, alert
// riskSeverity); legacy alert rules use LOW, MEDIUM and HIGH. MODERATE and MEDIUM both map to
// medium, and NO_RISK to info.
const severityByName: Record<string, Severity> = {
  NO_RISK: 'info',
  LOW: 'low',
  MODERATE: 'medium',
  MEDIUM: 'medium',
  HIGH: 'high',
  CRITICAL: 'critical',
};

/** Tells why `name` is no Incydr severity, for a rejection that starts with the field. */
export function unknownIncydrSeverity(name: string): string {
  return `${JSON.stringify(name)} is not an Incydr severity; expected NO_RISK, LOW, MODERATE, MEDIUM, HIGH or CRITICAL`;
}

/** Maps an Incydr severity name, in any letter case, or returns null for an unknown name. */
export function severityFromIncydrName(name: string): Severity | null {
  return severityByName[name.trim().toUpperCase()] ?? null;
}
