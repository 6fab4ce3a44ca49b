-- A version's record of the rows it trained on and has seen is kept in parts of at most 8 MiB
-- (lib/rows/version-rows.ts RECORD_PART_BYTES), one row each, instead of one bytea value per set
-- that each part was appended to (which rewrote the growing value: about 650 MB written for a
-- 7,000,000-row version's 100 MB). Existing records are cut into the same parts.
CREATE TABLE "VersionRowsPart" (
    "versionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "part" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,

    CONSTRAINT "VersionRowsPart_pkey" PRIMARY KEY ("versionId", "kind", "part")
);

ALTER TABLE "VersionRowsPart" ADD CONSTRAINT "VersionRowsPart_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "VersionTrainedRows"("versionId") ON DELETE CASCADE ON UPDATE CASCADE;

INSERT INTO "VersionRowsPart" ("versionId", "kind", "part", "bytes")
SELECT r."versionId", s.name, p.part, substring(s.bytes FROM p.part * 8388608 + 1 FOR 8388608)
FROM "VersionTrainedRows" r
CROSS JOIN LATERAL (VALUES ('trained', r."hashes"), ('seen', r."seenHashes")) AS s(name, bytes)
CROSS JOIN LATERAL generate_series(0, (octet_length(s.bytes) - 1) / 8388608) AS p(part)
WHERE octet_length(s.bytes) > 0;

ALTER TABLE "VersionTrainedRows" DROP COLUMN "hashes", DROP COLUMN "seenHashes";
