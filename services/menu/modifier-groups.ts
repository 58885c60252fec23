/**
 * A dish's modifier groups ("Doneness": min 1, max 1; "Extras": min 0, max 3), as a manager
 * sends them: the param rule, and the rules a param rule cannot say (min ≤ max, ids unique). Pure.
 */
import type { ModifierGroup, RecipeLine } from "../../lib/contracts";
import type { FieldProblem } from "../../lib/errors";
import { ID_PATTERN } from "../../lib/ids";
import { personText } from "../../lib/text-rules";

export const MAX_GROUPS = 10;
export const MAX_OPTIONS = 20;

const MODIFIER_ID = { type: "string", min: 1, max: 32, pattern: ID_PATTERN } as const;
const CHOICES = { type: "number", integer: true, min: 0, max: MAX_OPTIONS } as const;

/** `recipeRule` and `priceRule` are the dish's own, so an option's recipe and price follow the same rules. */
export function modifierGroupsRule<R extends object, P extends object>(recipeRule: R, priceRule: P) {
  return {
    type: "array",
    max: MAX_GROUPS,
    items: {
      type: "object",
      strict: true,
      props: {
        id: MODIFIER_ID,
        name: personText(1, 40),
        min: CHOICES,
        max: { ...CHOICES, min: 1 },
        options: {
          type: "array",
          min: 1,
          max: MAX_OPTIONS,
          items: {
            type: "object",
            strict: true,
            props: {
              id: MODIFIER_ID,
              name: personText(1, 60),
              priceCents: priceRule,
              recipe: { ...recipeRule, optional: true },
            },
          },
        },
      },
    },
  } as const;
}

/** Copies what a manager sent, without anything the rules did not name. */
export function storedGroups(groups: readonly ModifierGroup[]): ModifierGroup[] {
  return groups.map((group) => ({
    id: group.id,
    name: group.name,
    min: group.min,
    max: group.max,
    options: group.options.map((option) => ({
      id: option.id,
      name: option.name,
      priceCents: option.priceCents,
      ...(option.recipe?.length
        ? { recipe: option.recipe.map((line) => ({ ingredient: line.ingredient, qty: line.qty })) }
        : {}),
    })),
  }));
}

/**
 * What the param rule cannot check: a group asks for no more than it offers, at least as many as
 * it requires; group ids are unique in the dish, option ids too (a line names its choices by
 * option id alone). `recipeProblems` checks an option's recipe like the dish's.
 */
export function modifierGroupProblems(
  groups: readonly ModifierGroup[],
  recipeProblems: (recipe: readonly RecipeLine[], field: string) => FieldProblem[],
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const groupIds = new Set<string>();
  const optionIds = new Map<string, string>();
  groups.forEach((group, g) => {
    const at = `modifierGroups[${g}]`;
    if (groupIds.has(group.id))
      problems.push({
        field: `${at}.id`,
        type: "duplicateGroup",
        message: `Two modifier groups are called "${group.id}": give each its own id.`,
      });
    groupIds.add(group.id);
    if (group.min > group.max)
      problems.push({
        field: `${at}.min`,
        type: "minAboveMax",
        message: `"${group.name}" requires ${group.min} choices but allows only ${group.max}: min must not exceed max.`,
      });
    if (group.max > group.options.length)
      problems.push({
        field: `${at}.max`,
        type: "maxAboveOptions",
        message: `"${group.name}" allows ${group.max} choices but offers ${group.options.length}: max must not exceed the options.`,
      });
    group.options.forEach((option, o) => {
      const field = `${at}.options[${o}]`;
      const owner = optionIds.get(option.id);
      if (owner !== undefined)
        problems.push({
          field: `${field}.id`,
          type: "duplicateOption",
          message: `The option id "${option.id}" is already used in "${owner}": option ids are unique within a dish.`,
        });
      else optionIds.set(option.id, group.name);
      if (option.recipe) problems.push(...recipeProblems(option.recipe, `${field}.recipe`));
    });
  });
  return problems;
}
