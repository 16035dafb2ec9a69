CREATE TABLE "console_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"thread_root_id" bigint,
	"kind" text NOT NULL,
	"author" text NOT NULL,
	"visible_to" text,
	"case_id" uuid,
	"content" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "console_messages_channel_idx" ON "console_messages" USING btree ("channel","id");--> statement-breakpoint
CREATE INDEX "console_messages_thread_idx" ON "console_messages" USING btree ("thread_root_id") WHERE "console_messages"."thread_root_id" is not null;