CREATE TABLE "commit_holds" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "commit_holds_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"environment_id" bigint NOT NULL,
	"commit_sha" text NOT NULL,
	"rollback_deployment_id" bigint,
	"actor" text NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deployment_verdicts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "deployment_verdicts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"deployment_id" bigint NOT NULL,
	"checkpoint" integer NOT NULL,
	"final" boolean NOT NULL,
	"verdict" text NOT NULL,
	"reason" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"rollback_deployment_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "commit_holds" ADD CONSTRAINT "commit_holds_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commit_holds" ADD CONSTRAINT "commit_holds_rollback_deployment_id_deployments_id_fk" FOREIGN KEY ("rollback_deployment_id") REFERENCES "public"."deployments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployment_verdicts" ADD CONSTRAINT "deployment_verdicts_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployment_verdicts" ADD CONSTRAINT "deployment_verdicts_rollback_deployment_id_deployments_id_fk" FOREIGN KEY ("rollback_deployment_id") REFERENCES "public"."deployments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "commit_holds_environment_commit_uq" ON "commit_holds" USING btree ("environment_id","commit_sha");--> statement-breakpoint
CREATE UNIQUE INDEX "deployment_verdicts_checkpoint_uq" ON "deployment_verdicts" USING btree ("deployment_id","checkpoint");