/**
 * The modifiers an order line chose (`modifiers: [optionId]`), held to its dish's groups: every
 * required group answered, no group over its max, no option the dish does not offer, none twice.
 * Each problem names the group (or the dish's groups, for an option it does not have). Pure.
 */
import { allergenUnion, type Allergen } from "../../lib/allergens";
import type { ChosenModifier, RecipeLine, ResolvedDish } from "../../lib/contracts";
import type { FieldProblem } from "../../lib/errors";

export interface ModifierChoice {
  /** In the dish's order of groups and options, whatever order the waiter tapped them in. */
  modifiers: ChosenModifier[];
  /** What the chosen options add to the dish's recipe, for one portion. */
  recipe: RecipeLine[];
  allergens: Allergen[];
  /** What the chosen options add to the dish's price, for one portion. */
  priceCents: number;
}

const groupsOf = (dish: ResolvedDish) => dish.modifierGroups ?? [];

function describeGroups(dish: ResolvedDish): string {
  const groups = groupsOf(dish);
  if (groups.length === 0) return `${dish.name} has no modifiers`;
  return `${dish.name} offers ${groups
    .map((group) => `${group.name} (${group.options.map((option) => option.id).join(", ")})`)
    .join("; ")}`;
}

function choices(count: number): string {
  return count === 1 ? "1 choice" : `${count} choices`;
}

/** The line's choices, or what is wrong with them (`field` is the line's `lines[i].modifiers`). */
export function chooseModifiers(
  dish: ResolvedDish,
  optionIds: readonly string[],
  field: string,
): { choice: ModifierChoice; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const wanted = new Set<string>();
  optionIds.forEach((id, index) => {
    if (wanted.has(id))
      problems.push({
        field: `${field}[${index}]`,
        type: "duplicateModifier",
        message: `"${id}" is chosen twice on ${dish.name}: choose each option once.`,
      });
    wanted.add(id);
  });
  const offered = new Set(groupsOf(dish).flatMap((group) => group.options.map((option) => option.id)));
  optionIds.forEach((id, index) => {
    if (!offered.has(id))
      problems.push({
        field: `${field}[${index}]`,
        type: "unknownModifier",
        message: `"${id}" is not an option of ${dish.name}: ${describeGroups(dish)}.`,
      });
  });

  const choice: ModifierChoice = { modifiers: [], recipe: [], allergens: [], priceCents: 0 };
  const allergens: Allergen[][] = [];
  for (const group of groupsOf(dish)) {
    const picked = group.options.filter((option) => wanted.has(option.id));
    if (picked.length < group.min)
      problems.push({
        field,
        group: group.id,
        type: "modifierRequired",
        message: `${dish.name} needs ${group.min === group.max ? "" : "at least "}${choices(group.min)} of "${group.name}" (${group.id}): ${group.options.map((option) => option.id).join(", ")}.`,
      });
    if (picked.length > group.max)
      problems.push({
        field,
        group: group.id,
        type: "tooManyModifiers",
        message: `${dish.name} takes at most ${choices(group.max)} of "${group.name}" (${group.id}); ${picked.length} were chosen.`,
      });
    for (const option of picked) {
      choice.modifiers.push({ group: group.id, option: option.id, name: option.name, priceCents: option.priceCents });
      choice.recipe.push(...(option.recipe ?? []));
      allergens.push(option.allergens ?? []);
      choice.priceCents += option.priceCents;
    }
  }
  choice.allergens = allergenUnion(...allergens);
  return { choice, problems };
}
