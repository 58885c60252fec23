import type { CallingOptions, Context, ServiceBroker } from "moleculer";

export type Call = <T>(action: string, params: object) => Promise<T>;

/**
 * Calls through the request's context when there is one (its trace, request ID, deadline and
 * caller go along), through the broker when the work has no request behind it (a reconcile pass).
 */
export function callerOf(broker: ServiceBroker, ctx?: Context): Call {
  return <T>(action: string, params: object) =>
    ctx ? ctx.call<T, object>(action, params) : broker.call<T, object>(action, params);
}

/** Calls for work of one location that no request drives (a reconcile pass): the location goes along in meta. */
export function callerAt(broker: ServiceBroker, location: string): Call {
  return <T>(action: string, params: object) => broker.call<T, object>(action, params, { meta: { location } });
}

/** A broker or a Context: whatever can call an action (a Context keeps the call in its trace). */
export interface Caller {
  call(action: string, params?: object, opts?: CallingOptions): Promise<unknown>;
}
/** A caller that also knows the cluster's nodes and services. */
export interface ClusterReader extends Caller {
  registry: ServiceBroker["registry"];
}

/** The same reader, its every call acting in `location` (an operator's `--location`). */
export function readerAt(reader: ClusterReader, location: string | undefined): ClusterReader {
  if (!location) return reader;
  return {
    registry: reader.registry,
    call: (action, params, opts = {}) =>
      reader.call(action, params, { ...opts, meta: { ...(opts.meta as object | undefined), location } }),
  };
}
