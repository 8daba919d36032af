ALTER TABLE "deployments" ADD COLUMN "settings" jsonb;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "github_deployment_id" bigint;--> statement-breakpoint
CREATE INDEX "deployments_waiting_idx" ON "deployments" USING btree ("commit_sha") WHERE "deployments"."status" = 'waiting';