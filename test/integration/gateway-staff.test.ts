import { startBrigade, type Brigade, ADMIN_PASSWORD } from "../support/brigade";

describe("gateway and staff", () => {
  let b: Brigade;
  beforeAll(async () => {
    b = await startBrigade({ services: ["api", "staff"] });
  });
  afterAll(() => b.stop());

  it("logs the admin in with the configured password and tells who is calling", async () => {
    const login = await b.request("POST", "/api/auth/login", { body: { username: "admin", password: ADMIN_PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.body.staff).toMatchObject({ id: "admin", role: "owner" });
    expect(login.body.staff.passwordHash).toBeUndefined();
    const me = await b.request("GET", "/api/auth/me", { token: login.body.token });
    expect(me.body).toMatchObject({ username: "admin", role: "owner", location: null });
  });

  it("refuses a wrong password with 401 and the error shape", async () => {
    const res = await b.request("POST", "/api/auth/login", { body: { username: "admin", password: "nope-nope" } });
    expect(res.status).toBe(401);
    expect(Object.keys(res.body).sort()).toEqual(["code", "data", "message", "name", "type"]);
  });

  it("answers 401 without a token and 403 for the wrong role", async () => {
    expect((await b.request("GET", "/api/staff")).status).toBe(401);
    const waiter = await b.tokenFor("waiter");
    const res = await b.request("GET", "/api/staff", { token: waiter });
    expect(res.status).toBe(403);
    expect(res.body.type).toBe("FORBIDDEN");
  });

  it("stops the tokens of a deactivated account", async () => {
    const created = await b.request("POST", "/api/staff", {
      token: b.adminToken,
      body: { username: "leaving", name: "Leaving", role: "chef", password: "pw-leaving-1" },
    });
    expect(created.status).toBe(201);
    const token = await b.login("leaving", "pw-leaving-1");
    expect((await b.request("GET", "/api/auth/me", { token })).status).toBe(200);
    expect((await b.request("DELETE", "/api/staff/leaving", { token: b.adminToken })).status).toBe(200);
    expect((await b.request("GET", "/api/auth/me", { token })).status).toBe(401);
  });

  it("answers unknown routes, malformed JSON, and wrong content types in the one error shape", async () => {
    const unknown = await b.request("GET", "/api/nothing-here");
    expect(unknown.status).toBe(404);
    const malformed = await b.request("POST", "/api/auth/login", {
      raw: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.type).toBe("MALFORMED_JSON");
    const wrongType = await b.request("POST", "/api/auth/login", {
      raw: "username=a",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(wrongType.status).toBe(415);
    const invalid = await b.request("POST", "/api/auth/login", { body: { username: { $gt: "" }, password: "x" } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.data[0].field).toBe("username");
  });

  it("reports health", async () => {
    expect((await b.request("GET", "/health/live")).status).toBe(200);
    const ready = await b.request("GET", "/health/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.ready).toBe(true);
  });
});
