-- AlterTable
ALTER TABLE "IdempotencyKey" ADD COLUMN     "leaseToken" TEXT,
ADD COLUMN     "lockedUntil" TIMESTAMP(3),
ADD COLUMN     "viewerScope" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "IdempotencyEffect" (
    "keyId" INTEGER NOT NULL,
    "fieldKey" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "resourceId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IdempotencyEffect_pkey" PRIMARY KEY ("keyId","fieldKey")
);

-- AddForeignKey
ALTER TABLE "IdempotencyEffect" ADD CONSTRAINT "IdempotencyEffect_keyId_fkey" FOREIGN KEY ("keyId") REFERENCES "IdempotencyKey"("id") ON DELETE CASCADE ON UPDATE CASCADE;

