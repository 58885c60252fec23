/**
 * The allergy gate: a line whose allergens meet the guests' declared allergies stops the order
 * (409 ALLERGEN_CONFLICT) until the waiter confirms it (`allergyConfirmed: true`); then the
 * kitchen tickets of those lines carry `allergyAlert`. Pure.
 */
import { allergenOverlap, allergenUnion, type Allergen } from "../../lib/allergens";

export interface AllergyConflict {
  /** The line's index in the order's `lines`. */
  line: number;
  dish: string;
  name: string;
  /** The guests' allergies this line contains. */
  allergens: Allergen[];
}

export function allergyConflicts(
  lines: readonly { dish: string; name: string; allergens?: readonly Allergen[] }[],
  allergies: readonly Allergen[],
): AllergyConflict[] {
  if (allergies.length === 0) return [];
  return lines.flatMap((line, index) => {
    const met = allergenOverlap(line.allergens ?? [], allergies);
    return met.length ? [{ line: index, dish: line.dish, name: line.name, allergens: met }] : [];
  });
}

/** Every allergen of the conflicts, once. */
export function conflictAllergens(conflicts: readonly AllergyConflict[]): Allergen[] {
  return allergenUnion(...conflicts.map((conflict) => conflict.allergens));
}
