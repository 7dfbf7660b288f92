-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "dailyQuota" INTEGER,
ADD COLUMN     "monthlyQuota" INTEGER;

-- CreateTable
CREATE TABLE "QuotaUsage" (
    "apiKeyId" INTEGER NOT NULL,
    "period" TEXT NOT NULL,
    "periodStart" DATE NOT NULL,
    "cost" BIGINT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QuotaUsage_pkey" PRIMARY KEY ("apiKeyId","period","periodStart")
);

-- AddForeignKey
ALTER TABLE "QuotaUsage" ADD CONSTRAINT "QuotaUsage_apiKeyId_fkey" FOREIGN KEY ("apiKeyId") REFERENCES "ApiKey"("id") ON DELETE CASCADE ON UPDATE CASCADE;

