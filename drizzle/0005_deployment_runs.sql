CREATE TABLE "deployment_logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "deployment_logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"deployment_id" bigint NOT NULL,
	"step" text NOT NULL,
	"text" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "terraform_plan" jsonb;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "outputs" jsonb;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "failure" jsonb;--> statement-breakpoint
ALTER TABLE "deployment_logs" ADD CONSTRAINT "deployment_logs_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deployment_logs_deployment_idx" ON "deployment_logs" USING btree ("deployment_id","id");--> statement-breakpoint
CREATE INDEX "deployments_applying_idx" ON "deployments" USING btree ("id") WHERE "deployments"."status" = 'applying';--> statement-breakpoint
-- The status 'applied' is now called 'succeeded' (no runner applied anything before this migration; kept for safety).
UPDATE "deployments" SET "status" = 'succeeded' WHERE "status" = 'applied';--> statement-breakpoint
UPDATE "deployment_events" SET "status" = 'succeeded' WHERE "status" = 'applied';
