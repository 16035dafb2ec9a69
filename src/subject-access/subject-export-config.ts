import { z } from 'zod';

/** The `privacy.export` block: what a subject access export leaves out. */
export const subjectExportConfigSchema = z
  .strictObject({
    /**
     * Hides the evidence (signal details) and the notes of cases that are still open, because
     * disclosing them could harm the investigation. The export names the redacted cases.
     */
    redactOpenCases: z.boolean().default(true),
  })
  .default({ redactOpenCases: true });

export type SubjectExportConfig = z.infer<typeof subjectExportConfigSchema>;
