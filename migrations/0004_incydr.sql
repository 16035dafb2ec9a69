CREATE TABLE "incydr_cursors" (
	"stream" text PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone,
	"page_token" text,
	"page_number" integer,
	"last_event_at" timestamp with time zone,
	"last_run_status" text DEFAULT 'never' NOT NULL,
	"last_run_started_at" timestamp with time zone,
	"last_run_finished_at" timestamp with time zone,
	"last_run_records" integer DEFAULT 0 NOT NULL,
	"last_run_pages" integer DEFAULT 0 NOT NULL,
	"last_run_skipped_pages" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
