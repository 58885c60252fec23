/**
 * Spans to Zipkin, or to Jaeger's Zipkin-compatible collector (port 9411), so TRACING=jaeger
 * needs no extra package (Moleculer's own Jaeger exporter wants the retired `jaeger-client`).
 *
 * A trace's ID is the request ID, and a client may choose that (X-Request-ID): Zipkin only
 * takes hex IDs, and Moleculer's exporter just strips the dashes of a UUID. Any other ID is
 * hashed to 16 hex digits here, the same ID always to the same digits, so the trace stays whole
 * and the request ID in the logs still finds it (the `requestID` tag on every span).
 */
import { createHash } from "node:crypto";
import { TracerExporters } from "moleculer";

const HEX = /^[0-9a-f]{16,32}$/i;

export function zipkinID(id: string): string {
  const plain = id.replace(/-/g, "");
  return HEX.test(plain)
    ? plain.substring(0, 16).toLowerCase()
    : createHash("sha256").update(id).digest("hex").substring(0, 16);
}

export class BrigadeZipkinExporter extends TracerExporters.Zipkin {
  override convertID(id: string): string {
    return id ? zipkinID(id) : (null as unknown as string);
  }

  override makePayload(span: Parameters<TracerExporters.Zipkin["makePayload"]>[0]): Record<string, unknown> {
    const payload = super.makePayload(span);
    payload.tags = { ...payload.tags, requestID: String(span.traceID) };
    return payload;
  }
}

// Registered by name, so each broker builds its own exporter from `{ type: "BrigadeZipkin" }`.
// (Moleculer's typings want an instance here; at run time it takes the class.)
TracerExporters.register("BrigadeZipkin", BrigadeZipkinExporter as never);
