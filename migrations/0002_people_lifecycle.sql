ALTER TABLE "people" ADD COLUMN "country" text;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "time_zone" text;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "hire_date" date;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "notice_date" date;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "last_working_day" date;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "active" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "source_id" text;--> statement-breakpoint
CREATE INDEX "people_employee_number_idx" ON "people" USING btree ("employee_number");--> statement-breakpoint
CREATE INDEX "people_manager_email_idx" ON "people" USING btree ("manager_email");