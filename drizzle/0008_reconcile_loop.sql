CREATE TABLE "drift_checks" (
	"environment_id" bigint PRIMARY KEY NOT NULL,
	"app_id" bigint NOT NULL,
	"deployment_id" bigint,
	"status" text NOT NULL,
	"report" jsonb,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"every_minutes" integer,
	"heal" boolean DEFAULT false NOT NULL,
	"drifted_since" timestamp with time zone,
	"issue_number" integer,
	"heal_deployment_id" bigint
);
--> statement-breakpoint
CREATE TABLE "reconcile_ticks" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "reconcile_ticks_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"job_id" bigint,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"summary" jsonb
);
--> statement-breakpoint
CREATE TABLE "redeliveries" (
	"guid" text PRIMARY KEY NOT NULL,
	"attempt_id" bigint NOT NULL,
	"event" text NOT NULL,
	"action" text,
	"installation_id" bigint,
	"repository_id" bigint,
	"failed_status" integer NOT NULL,
	"delivered_at" timestamp with time zone,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"outcome" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "repository_heads" (
	"repository_id" bigint PRIMARY KEY NOT NULL,
	"branch" text NOT NULL,
	"sha" text,
	"etag" text,
	"polled_at" timestamp with time zone,
	"changed_at" timestamp with time zone,
	"problem" text
);
--> statement-breakpoint
ALTER TABLE "drift_checks" ADD CONSTRAINT "drift_checks_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drift_checks" ADD CONSTRAINT "drift_checks_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repository_heads" ADD CONSTRAINT "repository_heads_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reconcile_ticks_started_idx" ON "reconcile_ticks" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_push_after_idx" ON "webhook_deliveries" USING btree (("payload" ->> 'after')) WHERE "webhook_deliveries"."event" = 'push';