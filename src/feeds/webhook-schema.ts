import { z } from 'zod';
import { severities } from './signal.ts';
import { toDate } from './time.ts';

const notEmpty = 'must not be empty';
const optionalText = z.string().nullable().optional();

const webhookFileSchema = z
  .object({
    name: optionalText.meta({ description: 'File name.' }),
    path: optionalText.meta({ description: 'Directory or full path.' }),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hexadecimal digits')
      .nullable()
      .optional()
      .meta({ description: 'SHA-256 in hex; null when the sender could not hash the file.' }),
    md5: z
      .string()
      .regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hexadecimal digits')
      .nullable()
      .optional()
      .meta({ description: 'MD5 in hex; null when the sender could not hash the file.' }),
    category: optionalText.meta({ description: 'File category, e.g. "SourceCode" or "Document".' }),
    sizeBytes: z.int().min(0).nullable().optional().meta({ description: 'Size in bytes.' }),
  })
  .meta({ description: 'A file involved in the activity.' });

const subjectSchema = z
  .object({
    email: z.email().optional().meta({ description: 'E-mail address or UPN of the person.' }),
    ids: z
      .array(z.string().trim().min(1, notEmpty))
      .min(1, 'must list at least one id')
      .optional()
      .meta({ description: 'Ids of the person in the sending tool, e.g. user names.' }),
    name: z.string().trim().min(1, notEmpty).optional().meta({ description: 'Display name.' }),
  })
  .refine((subject) => subject.email !== undefined || subject.ids !== undefined, {
    message: 'needs an email or at least one id',
  })
  .meta({
    description: 'The person the signal is about. At least one of email and ids is required.',
    anyOf: [{ required: ['email'] }, { required: ['ids'] }],
  });

/**
 * The generic webhook format: one detection per object. It is the source of
 * docs/schemas/webhook-signal.schema.json, which a test regenerates and compares.
 */
export const webhookSignalSchema = z
  .looseObject({
    id: z
      .string()
      .trim()
      .min(1, notEmpty)
      .max(200, 'must be at most 200 characters')
      .meta({ description: 'The sender’s id for this detection; a repeated id is a duplicate.' }),
    subject: subjectSchema,
    observedAt: z
      .union([
        z.string().meta({ format: 'date-time' }),
        z.int().positive().meta({ description: 'Epoch milliseconds.' }),
      ])
      .transform(toDate)
      .meta({
        description:
          'When the activity happened: an ISO 8601 date-time with a time zone, or epoch milliseconds.',
      }),
    severity: z.enum(severities).meta({ description: 'Severity on the Casebridge scale.' }),
    riskScore: z
      .number()
      .nullable()
      .optional()
      .meta({ description: 'The sender’s risk score on its own scale.' }),
    title: z
      .string()
      .trim()
      .min(1, notEmpty)
      .max(500, 'must be at most 500 characters')
      .meta({ description: 'Short description shown on the case; name no person in it.' }),
    indicators: z
      .array(z.string().trim().min(1, notEmpty))
      .optional()
      .meta({ description: 'Short indicator names, e.g. rule names or risk indicators.' }),
    files: z.array(webhookFileSchema).optional(),
    destination: z
      .object({ category: optionalText, name: optionalText })
      .nullable()
      .optional()
      .meta({ description: 'Where data went, e.g. category "Cloud Storage", name "Dropbox".' }),
  })
  .meta({
    title: 'Casebridge webhook signal',
    description: 'One detection sent to POST /feeds/webhook or `casebridge ingest --feed webhook`.',
  });

export type WebhookSignal = z.output<typeof webhookSignalSchema>;

/** Returns the JSON Schema (draft 2020-12) of the webhook format, generated from the zod schema. */
export function webhookSignalJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(webhookSignalSchema, { target: 'draft-2020-12', io: 'input' });
}
