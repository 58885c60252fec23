/** The course a dish goes out with unless it says otherwise, from its category. Pure. */
const BY_CATEGORY: Readonly<Record<string, number>> = { drinks: 0, starters: 1, mains: 2, sides: 2, desserts: 3 };

/** Drinks 0, starters 1, mains and sides 2, desserts 3; any other category goes with the mains. */
export function defaultCourse(category: string): number {
  return BY_CATEGORY[category.toLowerCase()] ?? 2;
}
