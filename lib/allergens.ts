/**
 * The 14 allergens of EU regulation 1169/2011, spelled as the API takes them. Ingredients carry
 * them; a dish's are derived from its recipe (services/menu/dish-allergens.ts); an order's
 * guests declare theirs (services/orders/allergy-gate.ts). One list, so the three cannot differ.
 */
export const ALLERGENS = [
  "gluten",
  "crustaceans",
  "eggs",
  "fish",
  "peanuts",
  "soybeans",
  "milk",
  "nuts",
  "celery",
  "mustard",
  "sesame",
  "sulphites",
  "lupin",
  "molluscs",
] as const;
export type Allergen = (typeof ALLERGENS)[number];

/** `[allergen]`: each one of the 14 at most once; anything else is a 422 naming the value. */
export const ALLERGENS_RULE = {
  type: "array",
  max: ALLERGENS.length,
  unique: true,
  items: { type: "enum", values: [...ALLERGENS] },
} as const;

const RANK = new Map<string, number>(ALLERGENS.map((allergen, index) => [allergen, index]));

/** Every allergen of the lists, once each, in the regulation's order (how labels list them). */
export function allergenUnion(...lists: readonly (readonly Allergen[] | undefined)[]): Allergen[] {
  const all = new Set<Allergen>();
  for (const list of lists) for (const allergen of list ?? []) all.add(allergen);
  return [...all].sort((a, b) => (RANK.get(a) ?? 99) - (RANK.get(b) ?? 99));
}

/** The allergens found in both lists, in the regulation's order. */
export function allergenOverlap(a: readonly Allergen[], b: readonly Allergen[]): Allergen[] {
  const other = new Set(b);
  return allergenUnion(a.filter((allergen) => other.has(allergen)));
}
