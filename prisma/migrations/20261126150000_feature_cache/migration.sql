-- CreateTable
CREATE TABLE "feature_cache" (
    "encoder_hash" TEXT NOT NULL,
    "pooling" TEXT NOT NULL,
    "max_length" INTEGER NOT NULL,
    "text_hash" TEXT NOT NULL,
    "dim" INTEGER NOT NULL,
    "dtype" TEXT NOT NULL,
    "features" BYTEA NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feature_cache_pkey" PRIMARY KEY ("encoder_hash","pooling","max_length","text_hash")
);
