import { inArray } from 'drizzle-orm';
import type { Role } from '../../../workflows/case-events.ts';
import type { FileConfig } from '../../config.ts';
import type { Executor } from '../../store/db.ts';
import { roleGrants } from '../../store/schema.ts';

/** The prefix of a direct-message channel: `dm:<email>`. */
const directPrefix = 'dm:';

/** A console channel and the roles whose holders are its members. */
export interface ConsoleChannel {
  name: string;
  roles: Role[];
}

/** Lists the console channels that the routing names, each with the roles routed to it. */
export function consoleChannels(routing: FileConfig['routing']): ConsoleChannel[] {
  const byName = new Map<string, Role[]>();
  for (const role of ['security', 'hr', 'legal'] as const) {
    const name = routing[role]?.console;
    if (name === undefined) continue;
    byName.set(name, [...(byName.get(name) ?? []), role]);
  }
  return [...byName].map(([name, roles]) => ({ name, roles }));
}

export function directChannel(email: string): string {
  return `${directPrefix}${email.toLowerCase()}`;
}

/** Returns the person a direct-message channel belongs to, or null for a role channel. */
export function directChannelOwner(channel: string): string | null {
  return channel.startsWith(directPrefix) ? channel.slice(directPrefix.length) : null;
}

/**
 * Lists the e-mail addresses of a channel's members: the holders of its roles, or the owner of a
 * direct-message channel. Roles are read from the database on every call, so a revoked role
 * removes the person from the channel at once.
 */
export async function channelMemberEmails(
  db: Executor,
  channels: readonly ConsoleChannel[],
  channel: string,
): Promise<string[]> {
  const owner = directChannelOwner(channel);
  if (owner !== null) return [owner];

  const roles = channels.find((candidate) => candidate.name === channel)?.roles ?? [];
  if (roles.length === 0) return [];
  const rows = await db
    .selectDistinct({ email: roleGrants.email })
    .from(roleGrants)
    .where(inArray(roleGrants.role, roles));
  return rows.map((row) => row.email.toLowerCase());
}

/** Lists the channels a person sees: those of the roles they hold, and their direct messages. */
export function channelsOf(
  channels: readonly ConsoleChannel[],
  email: string,
  personRoles: readonly Role[],
): string[] {
  const visible = channels
    .filter((channel) => channel.roles.some((role) => personRoles.includes(role)))
    .map((channel) => channel.name);
  return [...visible, directChannel(email)];
}
