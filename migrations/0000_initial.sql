CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"stream" text NOT NULL,
	"seq" integer NOT NULL,
	"case_id" uuid,
	"type" text NOT NULL,
	"outcome" text NOT NULL,
	"actor" text NOT NULL,
	"actor_role" text,
	"at" timestamp with time zone NOT NULL,
	"from_state" text,
	"to_state" text,
	"reason" text,
	"data" jsonb NOT NULL,
	"content_digest" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"redacted" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_heads" (
	"stream" text PRIMARY KEY NOT NULL,
	"seq" integer NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" bigserial NOT NULL,
	"key" text GENERATED ALWAYS AS ('CB-' || lpad(number::text, 4, '0')) STORED NOT NULL,
	"subject_key" text NOT NULL,
	"subject_person_id" uuid,
	"subject_email" text,
	"state" text NOT NULL,
	"priority" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"machine_version" integer NOT NULL,
	"snapshot" jsonb NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "people" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"manager_email" text,
	"department" text,
	"employee_number" text,
	"locale" text,
	"external_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "role_grants" (
	"email" text NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "role_grants_email_role_pk" PRIMARY KEY("email","role")
);
--> statement-breakpoint
CREATE TABLE "signals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source" text NOT NULL,
	"external_id" text NOT NULL,
	"content_hash" text NOT NULL,
	"version" integer NOT NULL,
	"kind" text NOT NULL,
	"case_id" uuid NOT NULL,
	"subject_key" text NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"severity" text NOT NULL,
	"risk_score" real,
	"title" text NOT NULL,
	"signal" jsonb NOT NULL,
	"raw" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "timers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"state" text NOT NULL,
	"kind" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"fired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_receipts" (
	"feed" text NOT NULL,
	"webhook_id" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_receipts_feed_webhook_id_pk" PRIMARY KEY("feed","webhook_id")
);
--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_subject_person_id_people_id_fk" FOREIGN KEY ("subject_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signals" ADD CONSTRAINT "signals_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timers" ADD CONSTRAINT "timers_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_stream_seq_key" ON "audit_events" USING btree ("stream","seq");--> statement-breakpoint
CREATE INDEX "audit_events_case_idx" ON "audit_events" USING btree ("case_id");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_key_key" ON "cases" USING btree ("key");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_one_open_per_subject" ON "cases" USING btree ("subject_key") WHERE "cases"."state" <> 'closed';--> statement-breakpoint
CREATE INDEX "cases_state_idx" ON "cases" USING btree ("state");--> statement-breakpoint
CREATE INDEX "cases_subject_idx" ON "cases" USING btree ("subject_key","closed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "people_email_key" ON "people" USING btree ("email");--> statement-breakpoint
CREATE INDEX "people_external_ids_idx" ON "people" USING gin ("external_ids");--> statement-breakpoint
CREATE UNIQUE INDEX "signals_source_record_version_key" ON "signals" USING btree ("source","external_id","content_hash");--> statement-breakpoint
CREATE INDEX "signals_case_idx" ON "signals" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "timers_due_idx" ON "timers" USING btree ("due_at") WHERE "timers"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "timers_case_idx" ON "timers" USING btree ("case_id");