/**
 * Where the embedded gateway listens: loopback by default (HOST opens it; the image sets
 * 0.0.0.0), and the start-up line says the address it is really bound to.
 */
import type { AddressInfo } from "node:net";
import type { BrokerOptions } from "moleculer";
import { startBrigade, type Brigade } from "../support/brigade";
import { LogCapture } from "../security/support/log-capture";

describe("the gateway's address", () => {
  let b: Brigade;
  const logs = new LogCapture();

  beforeAll(async () => {
    b = await startBrigade({ services: ["api"], broker: { logger: [logs] as unknown as BrokerOptions["logger"] } });
  });
  afterAll(() => b.stop());

  it("binds loopback with no HOST set, and its log line names that address", () => {
    const api = b.broker.getLocalService("api") as unknown as { server: { address(): AddressInfo } };
    const bound = api.server.address();
    expect(bound.address).toBe("127.0.0.1");
    const line = logs.entries.find((e) => /Brigade gateway listening on/.test(e.text));
    expect(line?.text).toContain(`http://127.0.0.1:${bound.port} `);
  });
});
