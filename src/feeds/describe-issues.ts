import type { z } from 'zod';

const maxIssues = 3;
const maxPreviewLength = 80;

/**
 * Describes zod issues as one rejection reason that names each field and the value it held,
 * e.g. `observedAt: "yesterday" is not a valid time (…)`.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  const described = issues.slice(0, maxIssues).map((issue) => describeIssue(issue, input));
  const more = issues.length - maxIssues;
  if (more > 0) described.push(`and ${more} more`);
  return described.join('; ');
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const field = issue.path.length === 0 ? 'record' : formatPath(issue.path);
  const value = valueAt(input, issue.path);

  if (value === undefined && issue.code !== 'custom') return `${field}: missing`;

  switch (issue.code) {
    case 'custom':
      return isPrimitive(value)
        ? `${field}: ${preview(value)} ${issue.message}`
        : `${field}: ${issue.message}`;
    case 'invalid_type':
      return `${field}: ${preview(value)} is invalid (expected ${issue.expected})`;
    case 'invalid_union':
      return `${field}: ${preview(value)} is invalid (expected ${expectedOfUnion(issue)})`;
    case 'invalid_value':
      return `${field}: ${preview(value)} is not one of ${issue.values.map((option) => JSON.stringify(option)).join(', ')}`;
    case 'invalid_format':
      // A regex check carries its own message, e.g. "must be 64 hexadecimal digits".
      return issue.format === 'regex'
        ? `${field}: ${preview(value)} is invalid (${issue.message})`
        : `${field}: ${preview(value)} is not a valid ${issue.format}`;
    default:
      return `${field}: ${preview(value)} is invalid (${issue.message})`;
  }
}

function expectedOfUnion(issue: z.core.$ZodIssueInvalidUnion): string {
  const expected = new Set<string>();
  for (const branch of issue.errors) {
    for (const inner of branch) {
      if (inner.code === 'invalid_type') expected.add(inner.expected);
    }
  }
  return expected.size === 0 ? 'one of several shapes' : [...expected].join(' or ');
}

/** Formats a path as JavaScript would write it: `observations[0].observedAt`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

/** Renders a value as JSON, shortened so that a reason stays one readable line. */
export function preview(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > maxPreviewLength ? `${text.slice(0, maxPreviewLength - 1)}…` : text;
}
