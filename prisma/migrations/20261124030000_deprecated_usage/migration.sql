-- CreateTable
CREATE TABLE "DeprecatedUsage" (
    "coordinate" TEXT NOT NULL,
    "clientName" TEXT NOT NULL,
    "clientVersion" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "count" INTEGER NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DeprecatedUsage_pkey" PRIMARY KEY ("coordinate","clientName","clientVersion","day")
);

-- CreateIndex
CREATE INDEX "DeprecatedUsage_day_idx" ON "DeprecatedUsage"("day");

