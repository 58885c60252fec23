/**
 * A dish's allergens, derived from what its recipe is made of: nobody types them on the dish, so
 * they cannot drift from the recipe. Derived on every answer, from the inventory's map of
 * ingredient → allergens (`inventory.allergens`). Pure.
 */
import { allergenUnion, type Allergen } from "../../lib/allergens";
import type { IngredientAllergens, RecipeLine } from "../../lib/contracts";

export function recipeAllergens(
  recipe: readonly RecipeLine[] | undefined,
  byIngredient: IngredientAllergens,
): Allergen[] {
  return allergenUnion(...(recipe ?? []).map((line) => byIngredient[line.ingredient]));
}
