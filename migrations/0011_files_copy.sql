DROP INDEX "file_events_subject_idx";--> statement-breakpoint
ALTER TABLE "file_events" DROP COLUMN "department";--> statement-breakpoint
ALTER TABLE "file_events" DROP COLUMN "anomaly_factor";