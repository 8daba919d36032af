ALTER TABLE "recommendations" ADD COLUMN "pull_request" integer;--> statement-breakpoint
ALTER TABLE "recommendations" ADD COLUMN "commit_sha" text;--> statement-breakpoint
ALTER TABLE "recommendations" ADD COLUMN "monthly_saving" double precision;--> statement-breakpoint
ALTER TABLE "recommendations" ADD COLUMN "decided_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "recommendations" ADD COLUMN "decided_sha" text;--> statement-breakpoint
ALTER TABLE "recommendations" ADD COLUMN "effect" jsonb;--> statement-breakpoint
ALTER TABLE "recommendations" ADD COLUMN "measured_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "recommendations_history_idx" ON "recommendations" USING btree ("repository_id","app","environment","service","kind","decided_at");