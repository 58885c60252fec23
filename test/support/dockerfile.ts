/**
 * The project's Dockerfile, read the way `docker build` reads it (line continuations joined,
 * comments dropped, one instruction per line), so tests can check its stages and run exactly
 * what its final stage runs, without a Docker engine.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, " ").trim() };
    if (instruction.keyword === "FROM") {
      const [image, as, name] = instruction.args.split(" ");
      stages.push({ from: image, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
    } else if (stages.length) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

export function readDockerfile(root = path.resolve(__dirname, "../..")): Stage[] {
  return parseDockerfile(readFileSync(path.join(root, "Dockerfile"), "utf8"));
}

/** `ENV A=1 B=2` of a stage, in order. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== "ENV") continue;
    for (const [, key, value] of args.matchAll(/([A-Za-z_][\w]*)=("[^"]*"|\S+)/g))
      env[key] = value.replace(/^"|"$/g, "");
  }
  return env;
}

/** The exec form (`["node", …]`) of CMD or of HEALTHCHECK's CMD. */
export function execForm(stage: Stage, keyword: "CMD" | "HEALTHCHECK"): string[] {
  const instruction = stage.instructions.filter((i) => i.keyword === keyword).pop();
  if (!instruction) throw new Error(`the stage has no ${keyword}`);
  const json =
    keyword === "HEALTHCHECK" ? instruction.args.slice(instruction.args.indexOf("CMD ") + 4) : instruction.args;
  return JSON.parse(json) as string[];
}
