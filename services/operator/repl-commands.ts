/**
 * Brigade's commands for moleculer-repl (`npm run repl`), beside its own (`nodes`, `services`,
 * `call`, `metrics`, …). moleculer.config.ts hands them to the REPL as `replOptions`. Each one
 * reads through the broker like any node and prints a table; the reading and the printing are
 * the plain functions beside this file, tested without a REPL.
 */
import type { ServiceBroker } from "moleculer";
import { readBoard, renderBoard } from "./board";
import { readBreakers } from "../../lib/breakers";
import { renderBreakers } from "./breakers";
import { drainKitchen, renderDrain } from "./drain";
import { readKitchen, renderKitchen } from "./kitchen-load";
import { readStock, renderStock } from "./stock-report";
import { readerAt } from "../../lib/caller";
import { MAIN_LOCATION } from "../../lib/locations";

/** What moleculer-repl passes a custom command: the flags in `options`, each `<argument>` by name. */
export interface ReplArgs {
  options: Record<string, unknown>;
  [argument: string]: unknown;
}

export interface ReplCommand {
  command: string;
  description: string;
  options?: { option: string; description: string }[];
  // `unknown`: moleculer's typings say `string[]`, moleculer-repl 0.8 passes ReplArgs.
  action(broker: ServiceBroker, args: unknown): Promise<void>;
}

function argsOf(args: unknown): ReplArgs {
  const parsed = (args ?? {}) as Partial<ReplArgs>;
  return { ...parsed, options: parsed.options ?? {} };
}

type Print = (text: string) => void;

/** `-l, --location <id>`: the location a command reads (default main, the only one of a single restaurant). */
const LOCATION_OPTION = {
  option: "-l, --location <id>",
  description: `the location to read (default ${MAIN_LOCATION})`,
};

function at(broker: ServiceBroker, raw: unknown) {
  const location = argsOf(raw).options.location;
  return readerAt(broker, typeof location === "string" ? location : undefined);
}

function positive(value: unknown, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 100) : fallback;
}

/** A failed read prints what went wrong instead of a stack: the operator is mid-shift. */
async function guarded(print: Print, what: string, work: () => Promise<string>): Promise<void> {
  try {
    print(await work());
  } catch (err) {
    const e = err as Error & { code?: number; type?: string };
    print(`Could not read ${what}: ${e.message}${e.type ? ` (${e.type})` : ""}`);
  }
}

export function replCommands(print: Print = (text) => console.log(text)): ReplCommand[] {
  return [
    {
      command: "board",
      description: "Orders by status and the oldest waiting (placed, cooking, ready)",
      options: [
        { option: "-n, --limit <count>", description: "how many waiting orders to list (default 10)" },
        LOCATION_OPTION,
      ],
      action: (broker, raw) =>
        guarded(print, "the order board", async () =>
          renderBoard(await readBoard(at(broker, raw), { limit: positive(argsOf(raw).options.limit, 10) })),
        ),
    },
    {
      command: "stock",
      description: "Ingredients, low ones first",
      options: [
        { option: "-n, --limit <count>", description: "how many rows to print (default all)" },
        LOCATION_OPTION,
      ],
      action: (broker, raw) =>
        guarded(print, "stock", async () =>
          renderStock(await readStock(at(broker, raw)), {
            limit: argsOf(raw).options.limit ? positive(argsOf(raw).options.limit, 20) : undefined,
          }),
        ),
    },
    {
      command: "kitchen",
      description: "Tickets cooking per kitchen node, chef load, draining nodes, the queue (of one location)",
      options: [LOCATION_OPTION],
      action: (broker, raw) =>
        guarded(print, "the kitchen", async () => renderKitchen(await readKitchen(at(broker, raw)))),
    },
    {
      command: "breakers",
      description: "Circuit breakers that are not closed, per calling node, action and target node",
      options: [{ option: "-a, --all", description: "list closed breakers too" }],
      action: (broker, raw) =>
        guarded(print, "circuit breakers", async () =>
          renderBreakers(await readBreakers(broker), { all: !!argsOf(raw).options.all }),
        ),
    },
    {
      command: "drain <nodeID>",
      description: "Stop a kitchen node taking new tickets (before shutting it down); --resume undoes it",
      options: [{ option: "-r, --resume", description: "let the node take tickets again" }],
      action: (broker, raw) =>
        guarded(print, `kitchen node ${String(argsOf(raw).nodeID)}`, async () =>
          renderDrain(
            await drainKitchen(broker, String(argsOf(raw).nodeID), { draining: !argsOf(raw).options.resume }),
          ),
        ),
    },
  ];
}
