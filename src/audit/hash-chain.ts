import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The previous hash of the first event of every stream. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit event that its content digest covers. */
export interface AuditContent {
  stream: string;
  seq: number;
  caseId: string | null;
  type: string;
  outcome: 'accepted' | 'rejected';
  actor: string;
  actorRole: string | null;
  at: Date;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
  data: unknown;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Returns the SHA-256 of the event content in RFC 8785 canonical JSON. */
export function digestContent(content: AuditContent): string {
  const canonical = canonicalize({ ...content, at: content.at.toISOString() });
  if (canonical === undefined) throw new Error('audit content cannot be serialised');
  return sha256(canonical);
}

/** Links an event to its predecessor: SHA-256 over the previous hash and this event's digest. */
export function chainHash(prevHash: string, contentDigest: string): string {
  return sha256(`${prevHash}\n${contentDigest}`);
}
