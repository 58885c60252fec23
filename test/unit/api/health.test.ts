import { READY_CACHE_MS, readiness, type HealthBroker } from "../../../services/api/health";

function fakeBroker() {
  const checks = { menu: 0, staff: 0 };
  const store = (name: keyof typeof checks) => ({
    name,
    storeReachable: async () => {
      checks[name]++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return true;
    },
  });
  const broker: HealthBroker & { stopping: boolean } = {
    started: true,
    stopping: false,
    nodeID: "health-unit",
    transit: null,
    options: {},
    services: [store("menu"), store("staff")],
  };
  return { broker, checks };
}

describe("readiness", () => {
  it("checks every store once for a flood of probes, and shares the answer", async () => {
    const { broker, checks } = fakeBroker();
    const answers = await Promise.all(Array.from({ length: 3000 }, () => readiness(broker)));
    expect(answers.every((a) => a.ready)).toBe(true);
    expect(checks).toEqual({ menu: 1, staff: 1 });
    // Within the second: the same answer, no new check.
    await readiness(broker);
    expect(checks).toEqual({ menu: 1, staff: 1 });
  });

  it("checks again once the answer is a second old", async () => {
    const { broker, checks } = fakeBroker();
    await readiness(broker);
    await readiness(broker, Date.now() + READY_CACHE_MS + 1);
    expect(checks).toEqual({ menu: 2, staff: 2 });
  });

  it("says at once that a stopping node is not ready, and checks a new service's store at once", async () => {
    const { broker, checks } = fakeBroker();
    expect((await readiness(broker)).ready).toBe(true);
    broker.stopping = true;
    expect(await readiness(broker)).toMatchObject({ ready: false, checks: { broker: false } });
    broker.stopping = false;
    broker.services = [...broker.services!, { name: "hung", storeReachable: async () => false }];
    expect(await readiness(broker)).toMatchObject({ ready: false, checks: { stores: { hung: false } } });
    expect(checks.menu).toBe(2);
  });
});
