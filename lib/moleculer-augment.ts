// Brigade's own action property, type-checked on every schema.
import type { Access } from "./roles";

declare module "moleculer/src/service" {
  interface ActionSchema<TThis> {
    /** Who may call this action over HTTP; no roles = not reachable over HTTP (lib/roles.ts). */
    roles?: readonly Access[];
  }
}
export {};
