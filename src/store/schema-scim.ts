import { integer, jsonb, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { people } from './schema.ts';

/**
 * The SCIM User resource of each person a provisioning client (Entra ID, Okta) manages. The
 * `people` columns stay the truth for the attributes Casebridge maps (userName, active, the
 * enterprise and lifecycle attributes); `resource` keeps the other attributes the client sent,
 * such as `name` parts and `emails`, so that a GET returns them. The password attribute is
 * never stored.
 */
export const scimUsers = pgTable('scim_users', {
  personId: uuid('person_id')
    .primaryKey()
    .references(() => people.id),
  resource: jsonb('resource').notNull(),
  /** Increases with each SCIM write; `meta.version` is the weak ETag `W/"<version>"`. */
  version: integer('version').notNull().default(1),
  /**
   * Set by a SCIM DELETE: the person stays (cases may refer to them) but is inactive, and the
   * SCIM endpoint answers 404 for them until a client creates the user again.
   */
  deletedAt: timestamp('deleted_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
