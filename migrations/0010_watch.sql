CREATE TABLE "case_hr_updates" (
	"case_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "case_hr_updates_case_id_kind_key_pk" PRIMARY KEY("case_id","kind","key")
);
--> statement-breakpoint
CREATE TABLE "watchlist_memberships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"list" text NOT NULL,
	"person_id" uuid NOT NULL,
	"cause" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"added_by" text,
	"reason" text,
	"ended_by" text,
	"end_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "case_threads_case_audience_key";--> statement-breakpoint
ALTER TABLE "case_threads" ADD COLUMN "retired_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "case_hr_updates" ADD CONSTRAINT "case_hr_updates_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "watchlist_memberships" ADD CONSTRAINT "watchlist_memberships_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "watchlist_memberships_current_key" ON "watchlist_memberships" USING btree ("list","person_id") WHERE "watchlist_memberships"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "watchlist_memberships_person_idx" ON "watchlist_memberships" USING btree ("person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "case_threads_case_audience_key" ON "case_threads" USING btree ("case_id","audience","platform") WHERE "case_threads"."retired_at" is null;