CREATE TABLE "previews" (
	"environment_id" bigint PRIMARY KEY NOT NULL,
	"app_id" bigint NOT NULL,
	"pull_request" integer NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"head_sha" text NOT NULL,
	"fork" boolean DEFAULT false NOT NULL,
	"approved_sha" text,
	"approved_by" text,
	"last_push_at" timestamp with time zone NOT NULL,
	"ttl_seconds" integer NOT NULL,
	"expires_at" timestamp with time zone,
	"monthly_usd" double precision,
	"cost_so_far_usd" double precision DEFAULT 0 NOT NULL,
	"priced_since" timestamp with time zone,
	"shrunk" jsonb,
	"caps" jsonb,
	"reason" text,
	"destroy_attempts" integer DEFAULT 0 NOT NULL,
	"retry_at" timestamp with time zone,
	"github_environment" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "previews" ADD CONSTRAINT "previews_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "previews" ADD CONSTRAINT "previews_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "previews_expiry_idx" ON "previews" USING btree ("expires_at") WHERE "previews"."state" = 'open';--> statement-breakpoint
CREATE INDEX "previews_retry_idx" ON "previews" USING btree ("retry_at") WHERE "previews"."state" = 'destroy-failed';--> statement-breakpoint
CREATE INDEX "previews_app_idx" ON "previews" USING btree ("app_id","state");