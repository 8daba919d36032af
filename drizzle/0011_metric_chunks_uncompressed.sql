-- Metric chunks (a day of one series: times and values as base64 float8s, about 15 KB each) are
-- stored out of line without compression: Postgres' pglz compressing every chunk was the largest
-- cost of writing a 200,000-sample post in the embedded store (its WebAssembly spent most of the
-- write there), for a saving of about half the chunk's bytes. Rows written before keep their
-- compressed form and read back unchanged.
ALTER TABLE "metric_chunks" ALTER COLUMN "times" SET STORAGE EXTERNAL;--> statement-breakpoint
ALTER TABLE "metric_chunks" ALTER COLUMN "vals" SET STORAGE EXTERNAL;
