-- Web processes cache what every prediction reads (lib/db/invalidated-cache.ts): which user and
-- role an API token stands for ("tokens"), and which version of a model answers ("serving"). These
-- triggers announce each change of those rows in the change's own transaction, whoever makes it:
-- NOTIFY cache_invalidate with the topic, delivered on commit to every web process's LISTEN.
-- (A token's lastUsedAt, a user's password and a version's description change nothing cached.)
CREATE FUNCTION "notify_cache_invalidate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('cache_invalidate', TG_ARGV[0]);
  RETURN NULL;
END
$$;

CREATE TRIGGER "ApiToken_cache_invalidate" AFTER UPDATE OF "revokedAt", "tokenHash", "userId" OR DELETE OR TRUNCATE ON "ApiToken"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_cache_invalidate"('tokens');
CREATE TRIGGER "User_cache_invalidate" AFTER UPDATE OF "role", "email" OR DELETE OR TRUNCATE ON "User"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_cache_invalidate"('tokens');
CREATE TRIGGER "Model_cache_invalidate" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Model"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_cache_invalidate"('serving');
CREATE TRIGGER "ModelAlias_cache_invalidate" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ModelAlias"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_cache_invalidate"('serving');
CREATE TRIGGER "ModelVersion_cache_invalidate" AFTER DELETE OR TRUNCATE ON "ModelVersion"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_cache_invalidate"('serving');
