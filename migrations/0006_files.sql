CREATE TABLE "critical_files" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"sha256" text,
	"md5" text,
	"label" text NOT NULL,
	"owner" text,
	"sensitivity" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "critical_files_hash_check" CHECK ("critical_files"."sha256" is not null or "critical_files"."md5" is not null)
);
--> statement-breakpoint
CREATE TABLE "file_activity_daily" (
	"subject_key" text NOT NULL,
	"day" date NOT NULL,
	"file_category" text NOT NULL,
	"destination_category" text NOT NULL,
	"department" text,
	"events" integer NOT NULL,
	"bytes" bigint NOT NULL,
	CONSTRAINT "file_activity_daily_subject_key_day_file_category_destination_category_pk" PRIMARY KEY("subject_key","day","file_category","destination_category")
);
--> statement-breakpoint
CREATE TABLE "file_case_openings" (
	"subject_key" text NOT NULL,
	"case_id" uuid NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	CONSTRAINT "file_case_openings_subject_key_case_id_pk" PRIMARY KEY("subject_key","case_id")
);
--> statement-breakpoint
CREATE TABLE "file_events" (
	"source" text NOT NULL,
	"event_id" text NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"subject_key" text NOT NULL,
	"user_email" text,
	"department" text,
	"device" text,
	"action" text,
	"file_name" text,
	"file_path" text,
	"sha256" text,
	"md5" text,
	"file_category" text,
	"size_bytes" bigint,
	"destination_category" text,
	"destination_name" text,
	"domains" text[] DEFAULT '{}'::text[] NOT NULL,
	"process" text,
	"severity" text NOT NULL,
	"risk_score" real,
	"anomaly_factor" real,
	"critical_file_id" uuid,
	"suppressed_by" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "file_events_pkey" PRIMARY KEY("source","event_id","observed_at")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "critical_files_sha256_key" ON "critical_files" USING btree ("sha256") WHERE "critical_files"."sha256" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "critical_files_md5_key" ON "critical_files" USING btree ("md5") WHERE "critical_files"."md5" is not null;--> statement-breakpoint
CREATE INDEX "file_activity_daily_department_idx" ON "file_activity_daily" USING btree ("department","day");--> statement-breakpoint
CREATE INDEX "file_events_sha256_idx" ON "file_events" USING btree ("sha256") WHERE "file_events"."sha256" is not null;--> statement-breakpoint
CREATE INDEX "file_events_md5_idx" ON "file_events" USING btree ("md5") WHERE "file_events"."md5" is not null;--> statement-breakpoint
CREATE INDEX "file_events_subject_idx" ON "file_events" USING btree ("subject_key","observed_at");