/**
 * The answers' JSON Schema (./answers.schema.json, written by `npm run client:types` from
 * ./answers.ts) as OpenAPI components: its definitions become `components/schemas`, under names
 * OpenAPI allows (`Page<OrderView>` → `PageOfOrderView`), and each action's answer a `$ref`.
 */
import type { JsonSchema } from "./json-schema";

export interface AnswersSchema {
  properties: Record<string, JsonSchema>;
  definitions: Record<string, JsonSchema>;
}

/** A definition's name as a component's (OpenAPI: `^[a-zA-Z0-9.\-_]+$`). */
export function componentName(definition: string): string {
  return definition.replace(/<([^<>]+)>/g, "Of$1").replace(/[^a-zA-Z0-9.\-_]/g, "_");
}

function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite);
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key === "$ref" && typeof value === "string" && value.startsWith("#/definitions/"))
        return [key, `#/components/schemas/${componentName(decodeURIComponent(value.slice(14)))}`];
      return [key, rewrite(value)];
    }),
  );
}

export function answerComponents(answers: AnswersSchema): {
  schemas: Record<string, JsonSchema>;
  answerOf: (action: string) => JsonSchema | undefined;
} {
  const schemas = Object.fromEntries(
    Object.entries(answers.definitions).map(([name, schema]) => [componentName(name), rewrite(schema) as JsonSchema]),
  );
  return {
    schemas,
    answerOf: (action) =>
      answers.properties[action] ? (rewrite(answers.properties[action]) as JsonSchema) : undefined,
  };
}
