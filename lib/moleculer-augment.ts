// Brigade's own action property, type-checked on every schema.
import type { Access } from "./roles";

declare module "moleculer/src/service" {
  interface ActionSchema<TThis> {
    /** Who may call this action over HTTP; no roles = not reachable over HTTP (lib/roles.ts). */
    roles?: readonly Access[];
    /**
     * Running it twice does no harm (a read, or a write keyed so a repeat changes nothing), so a
     * call that timed out or lost its node may be sent again to another node (moleculer.config.ts).
     */
    idempotent?: boolean;
    /**
     * "group": the action acts on the group of restaurants (staff, locations, the cluster), not
     * in one location, so the gateway needs no location for it. Every other action reachable
     * over HTTP acts in the caller's location (services/api/location-choice.ts).
     */
    scope?: "group";
  }
}
