/**
 * The demo restaurant `npm start` opens with (BRIGADE_SEED): a small bistro with a grill, a
 * fryer, a sauté pan, a cold larder, a pastry corner and a bar. Plain data: the inventory and
 * menu services turn it into their documents, with ids from slugId(name) so that two nodes
 * seeding an empty store at once end up with one copy.
 *
 * Quantities are whole grams, millilitres or pieces, the units stock is counted in.
 */
import type { Allergen } from "../../lib/allergens";
import type { ModifierGroup, Station } from "../../lib/contracts";

export interface DemoIngredient {
  name: string;
  unit: "g" | "ml" | "pcs";
  onHand: number;
  reorderPoint: number;
  reorderQty: number;
  /** What a typical product of the kind declares on its label. */
  allergens?: Allergen[];
}

/** A modifier group whose options' recipes name ingredients as DemoDish's recipe does. */
export type DemoModifierGroup = Omit<ModifierGroup, "options"> & {
  options: { id: string; name: string; priceCents: number; recipe?: [ingredient: string, qty: number][] }[];
};

export interface DemoDish {
  name: string;
  category: string;
  priceCents: number;
  station: Station;
  prepSeconds: number;
  /** Ingredient names, as in DEMO_INGREDIENTS. */
  recipe: [ingredient: string, qty: number][];
  modifierGroups?: DemoModifierGroup[];
}

type DemoOption = DemoModifierGroup["options"][number];
const EXTRA_CHEESE: DemoOption = {
  id: "extra-cheese",
  name: "Extra cheese",
  priceCents: 150,
  recipe: [["Cheddar", 30]],
};
const FRIED_EGG: DemoOption = { id: "fried-egg", name: "Fried egg", priceCents: 150, recipe: [["Eggs", 1]] };

export const DEMO_INGREDIENTS: readonly DemoIngredient[] = [
  { name: "Beef mince", unit: "g", onHand: 12_000, reorderPoint: 3_000, reorderQty: 10_000 },
  { name: "Ribeye steaks", unit: "pcs", onHand: 24, reorderPoint: 6, reorderQty: 24 },
  { name: "Chicken breast", unit: "g", onHand: 8_000, reorderPoint: 2_000, reorderQty: 8_000 },
  { name: "Salmon fillet", unit: "pcs", onHand: 20, reorderPoint: 5, reorderQty: 20, allergens: ["fish"] },
  { name: "Potatoes", unit: "g", onHand: 25_000, reorderPoint: 5_000, reorderQty: 20_000 },
  { name: "Frying oil", unit: "ml", onHand: 20_000, reorderPoint: 5_000, reorderQty: 20_000 },
  {
    name: "Brioche burger buns",
    unit: "pcs",
    onHand: 48,
    reorderPoint: 12,
    reorderQty: 48,
    allergens: ["gluten", "eggs", "milk", "sesame"],
  },
  { name: "Cheddar", unit: "g", onHand: 3_000, reorderPoint: 800, reorderQty: 3_000, allergens: ["milk"] },
  { name: "Lettuce", unit: "g", onHand: 4_000, reorderPoint: 1_000, reorderQty: 4_000 },
  { name: "Tomatoes", unit: "g", onHand: 5_000, reorderPoint: 1_500, reorderQty: 5_000 },
  { name: "Onions", unit: "g", onHand: 6_000, reorderPoint: 1_500, reorderQty: 5_000 },
  { name: "Butter", unit: "g", onHand: 4_000, reorderPoint: 1_000, reorderQty: 4_000, allergens: ["milk"] },
  { name: "Garlic", unit: "g", onHand: 1_000, reorderPoint: 250, reorderQty: 1_000 },
  { name: "Arborio risotto rice", unit: "g", onHand: 5_000, reorderPoint: 1_000, reorderQty: 5_000 },
  { name: "Parmesan", unit: "g", onHand: 2_000, reorderPoint: 500, reorderQty: 2_000, allergens: ["milk"] },
  { name: "Mushrooms", unit: "g", onHand: 3_000, reorderPoint: 800, reorderQty: 3_000 },
  { name: "Eggs", unit: "pcs", onHand: 120, reorderPoint: 30, reorderQty: 120, allergens: ["eggs"] },
  { name: "Flour", unit: "g", onHand: 10_000, reorderPoint: 2_000, reorderQty: 10_000, allergens: ["gluten"] },
  { name: "Sugar", unit: "g", onHand: 5_000, reorderPoint: 1_000, reorderQty: 5_000 },
  {
    name: "Dark chocolate",
    unit: "g",
    onHand: 2_000,
    reorderPoint: 500,
    reorderQty: 2_000,
    allergens: ["soybeans", "milk"],
  },
  { name: "Whipping cream", unit: "ml", onHand: 4_000, reorderPoint: 1_000, reorderQty: 4_000, allergens: ["milk"] },
  { name: "Extra virgin olive oil", unit: "ml", onHand: 3_000, reorderPoint: 750, reorderQty: 3_000 },
  { name: "Lemons", unit: "pcs", onHand: 30, reorderPoint: 10, reorderQty: 30 },
  { name: "Fresh mint", unit: "g", onHand: 300, reorderPoint: 80, reorderQty: 300 },
  { name: "Hazelnuts", unit: "g", onHand: 1_500, reorderPoint: 300, reorderQty: 1_500, allergens: ["nuts"] },
  { name: "Gin", unit: "ml", onHand: 3_500, reorderPoint: 700, reorderQty: 2_100 },
  { name: "Tonic water", unit: "ml", onHand: 12_000, reorderPoint: 3_000, reorderQty: 12_000 },
];

export const DEMO_DISHES: readonly DemoDish[] = [
  {
    name: "Classic Cheeseburger",
    category: "mains",
    priceCents: 1450,
    station: "grill",
    prepSeconds: 600,
    recipe: [
      ["Beef mince", 180],
      ["Brioche burger buns", 1],
      ["Cheddar", 30],
      ["Lettuce", 20],
      ["Tomatoes", 40],
      ["Onions", 20],
    ],
    modifierGroups: [{ id: "extras", name: "Extras", min: 0, max: 2, options: [EXTRA_CHEESE, FRIED_EGG] }],
  },
  {
    name: "Ribeye Steak Frites",
    category: "mains",
    priceCents: 2850,
    station: "grill",
    prepSeconds: 900,
    recipe: [
      ["Ribeye steaks", 1],
      ["Potatoes", 250],
      ["Frying oil", 50],
      ["Butter", 20],
      ["Garlic", 5],
    ],
    modifierGroups: [
      {
        id: "doneness",
        name: "Doneness",
        min: 1,
        max: 1,
        options: [
          { id: "rare", name: "Rare", priceCents: 0 },
          { id: "medium-rare", name: "Medium rare", priceCents: 0 },
          { id: "medium", name: "Medium", priceCents: 0 },
          { id: "well-done", name: "Well done", priceCents: 0 },
        ],
      },
      {
        id: "extras",
        name: "Extras",
        min: 0,
        max: 3,
        options: [
          EXTRA_CHEESE,
          {
            id: "peppercorn-sauce",
            name: "Peppercorn sauce",
            priceCents: 250,
            recipe: [
              ["Whipping cream", 40],
              ["Butter", 10],
            ],
          },
          FRIED_EGG,
        ],
      },
    ],
  },
  {
    name: "Grilled Salmon",
    category: "mains",
    priceCents: 2200,
    station: "grill",
    prepSeconds: 720,
    recipe: [
      ["Salmon fillet", 1],
      ["Lemons", 1],
      ["Butter", 15],
      ["Lettuce", 40],
    ],
  },
  {
    name: "Hand-cut Fries",
    category: "sides",
    priceCents: 450,
    station: "fryer",
    prepSeconds: 300,
    recipe: [
      ["Potatoes", 300],
      ["Frying oil", 60],
    ],
  },
  {
    name: "Buttermilk Fried Chicken",
    category: "mains",
    priceCents: 1650,
    station: "fryer",
    prepSeconds: 660,
    recipe: [
      ["Chicken breast", 220],
      ["Flour", 60],
      ["Eggs", 1],
      ["Frying oil", 120],
    ],
  },
  {
    name: "Onion Rings",
    category: "starters",
    priceCents: 550,
    station: "fryer",
    prepSeconds: 300,
    recipe: [
      ["Onions", 150],
      ["Flour", 50],
      ["Eggs", 1],
      ["Frying oil", 80],
    ],
  },
  {
    name: "Wild Mushroom Risotto",
    category: "mains",
    priceCents: 1750,
    station: "saute",
    prepSeconds: 1080,
    recipe: [
      ["Arborio risotto rice", 90],
      ["Mushrooms", 120],
      ["Parmesan", 25],
      ["Butter", 20],
      ["Onions", 30],
      ["Garlic", 5],
    ],
    modifierGroups: [
      {
        id: "toppings",
        name: "Toppings",
        min: 0,
        max: 2,
        options: [
          { id: "toasted-hazelnuts", name: "Toasted hazelnuts", priceCents: 150, recipe: [["Hazelnuts", 15]] },
          { id: "extra-parmesan", name: "Extra parmesan", priceCents: 150, recipe: [["Parmesan", 15]] },
        ],
      },
    ],
  },
  {
    name: "Garlic Butter Chicken",
    category: "mains",
    priceCents: 1850,
    station: "saute",
    prepSeconds: 840,
    recipe: [
      ["Chicken breast", 200],
      ["Butter", 30],
      ["Garlic", 10],
      ["Whipping cream", 60],
      ["Mushrooms", 60],
    ],
  },
  {
    name: "Caesar Salad",
    category: "starters",
    priceCents: 950,
    station: "cold",
    prepSeconds: 300,
    recipe: [
      ["Lettuce", 150],
      ["Parmesan", 20],
      ["Eggs", 1],
      ["Garlic", 3],
      ["Extra virgin olive oil", 20],
    ],
  },
  {
    name: "Tomato and Onion Salad",
    category: "starters",
    priceCents: 750,
    station: "cold",
    prepSeconds: 240,
    recipe: [
      ["Tomatoes", 200],
      ["Onions", 20],
      ["Extra virgin olive oil", 15],
    ],
  },
  {
    name: "Chocolate Fondant",
    category: "desserts",
    priceCents: 850,
    station: "pastry",
    prepSeconds: 900,
    recipe: [
      ["Dark chocolate", 60],
      ["Butter", 40],
      ["Eggs", 2],
      ["Sugar", 40],
      ["Flour", 20],
    ],
  },
  {
    name: "Lemon Tart",
    category: "desserts",
    priceCents: 750,
    station: "pastry",
    prepSeconds: 240,
    recipe: [
      ["Flour", 40],
      ["Butter", 25],
      ["Sugar", 40],
      ["Eggs", 2],
      ["Lemons", 1],
      ["Whipping cream", 30],
    ],
  },
  {
    name: "Gin and Tonic",
    category: "drinks",
    priceCents: 900,
    station: "bar",
    prepSeconds: 60,
    recipe: [
      ["Gin", 50],
      ["Tonic water", 150],
    ],
    modifierGroups: [
      {
        id: "garnish",
        name: "Garnish",
        min: 0,
        max: 1,
        options: [
          { id: "lemon", name: "Lemon", priceCents: 0, recipe: [["Lemons", 1]] },
          { id: "mint", name: "Mint", priceCents: 0, recipe: [["Fresh mint", 3]] },
        ],
      },
    ],
  },
  {
    name: "Fresh Lemonade",
    category: "drinks",
    priceCents: 450,
    station: "bar",
    prepSeconds: 90,
    recipe: [
      ["Lemons", 2],
      ["Sugar", 30],
      ["Fresh mint", 5],
    ],
  },
];

/** The floor plan: tables 1–12, eight in the dining room and four on the terrace. */
export interface DemoTable {
  name: string;
  area: string;
  seats: number;
}

export const DEMO_TABLES: readonly DemoTable[] = Array.from({ length: 12 }, (_, i) => ({
  name: String(i + 1),
  area: i < 8 ? "Dining room" : "Terrace",
  // Twos by the window, fours in the middle, a six at the back; the terrace's fours.
  seats: i < 3 ? 2 : i === 7 ? 6 : 4,
}));
