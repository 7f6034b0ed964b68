import { z } from 'zod';
import type { Viewer } from '@jobplatform/auth';
import { isSelfOrAdmin, validateInput } from '@jobplatform/service-runtime';
import type { SearchDb, SearchItemRow } from './db.js';

/** A user as search knows them: the key that the gateway resolves at users. */
export type UserReference = { id: string };

/** The column is VARCHAR(200). */
const titleSchema = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

/** The rules of the example entity: who may add an item, and who may see one. */
export function createItemService({ db, now }: { db: SearchDb; now: () => Date }) {
  return {
    add: (viewer: Viewer, title: string): Promise<SearchItemRow> =>
      db.searchItem.create({ data: { ownerId: BigInt(viewer.userId), title: validateInput(titleSchema, title, 'title'), createdAt: now() } }),
    /** An item is its owner's: they and admins see it. */
    maySee: (viewer: Viewer | undefined, item: Pick<SearchItemRow, 'ownerId'>): boolean => isSelfOrAdmin(viewer, item.ownerId),
  };
}

export type ItemService = ReturnType<typeof createItemService>;
