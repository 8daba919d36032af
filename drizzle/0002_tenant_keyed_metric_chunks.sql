-- Metric samples and recommendations were keyed by app name alone, so two installations with an app
-- of the same name read each other's data. They are now keyed by installation and repository too,
-- and samples are kept one row per series and UTC day (`metric_chunks`: times in epoch ms and
-- values packed as big-endian float8s, as float8send writes them, in base64).
-- Existing rows are attributed to the repository whose app has that name when exactly one does;
-- rows whose app name is ambiguous or unknown cannot be attributed and are left behind (migration
-- 0003 drops `metric_samples`): re-import them with `slipway metrics import --repo owner/name`.
CREATE TABLE "metric_chunks" (
	"installation_id" bigint NOT NULL,
	"repository_id" bigint NOT NULL,
	"app" text NOT NULL,
	"service" text NOT NULL,
	"metric" text NOT NULL,
	"day" integer NOT NULL,
	"times" text NOT NULL,
	"vals" text NOT NULL,
	CONSTRAINT "metric_chunks_pk" PRIMARY KEY("installation_id","repository_id","app","service","metric","day")
);
--> statement-breakpoint
INSERT INTO "metric_chunks" ("installation_id", "repository_id", "app", "service", "metric", "day", "times", "vals")
  SELECT r."installation_id", r."id", s."app", s."service", s."metric", floor(extract(epoch from s."at") / 86400)::integer,
         encode(string_agg(float8send((extract(epoch from s."at") * 1000)::float8), ''::bytea ORDER BY s."at"), 'base64'),
         encode(string_agg(float8send(s."value"), ''::bytea ORDER BY s."at"), 'base64')
  FROM "metric_samples" AS s
  JOIN "apps" AS a ON a."name" = s."app"
  JOIN "repositories" AS r ON r."id" = a."repository_id"
  WHERE (SELECT count(*) FROM "apps" AS b WHERE b."name" = s."app") = 1
  GROUP BY r."installation_id", r."id", s."app", s."service", s."metric", floor(extract(epoch from s."at") / 86400)::integer;--> statement-breakpoint
DROP INDEX "recommendations_fingerprint_uq";--> statement-breakpoint
ALTER TABLE "recommendations" ADD COLUMN "installation_id" bigint;--> statement-breakpoint
ALTER TABLE "recommendations" ADD COLUMN "repository_id" bigint;--> statement-breakpoint
UPDATE "recommendations" AS m SET "repository_id" = r."id", "installation_id" = r."installation_id"
  FROM "apps" AS a JOIN "repositories" AS r ON r."id" = a."repository_id"
  WHERE a."name" = m."app" AND (SELECT count(*) FROM "apps" AS b WHERE b."name" = m."app") = 1;--> statement-breakpoint
DELETE FROM "recommendations" WHERE "repository_id" IS NULL;--> statement-breakpoint
ALTER TABLE "recommendations" ALTER COLUMN "installation_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "recommendations" ALTER COLUMN "repository_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "metric_chunks" ADD CONSTRAINT "metric_chunks_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recommendations" ADD CONSTRAINT "recommendations_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "recommendations_fingerprint_uq" ON "recommendations" USING btree ("installation_id","repository_id","app","environment","fingerprint");
