-- DropIndex
DROP INDEX "audit_events_action_ip_address_created_at_idx";

-- AlterTable
ALTER TABLE "audit_events" ADD COLUMN     "address_block" VARCHAR(45);

-- CreateIndex
CREATE INDEX "audit_events_action_address_block_created_at_idx" ON "audit_events"("action", "address_block", "created_at");

-- Rows written before: an IPv4 address is its own block (IPv6 rows start counting from now).
UPDATE "audit_events" SET "address_block" = "ip_address" WHERE "ip_address" IS NOT NULL AND position(':' in "ip_address") = 0;
