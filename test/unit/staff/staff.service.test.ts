import { adminPasswordBanner } from "../../../services/staff/staff.service";

describe("the admin password banner", () => {
  it("frames the password on a line of its own, every line the same width", () => {
    const banner = adminPasswordBanner("s3cret-Pass");
    const lines = banner.split("\n").filter(Boolean);
    expect(lines).toContainEqual(expect.stringMatching(/^\| {5}s3cret-Pass +\|$/));
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[0]).toMatch(/^\+-+\+$/);
    expect(lines.at(-1)).toBe(lines[0]);
    expect(banner).toContain("PATCH /api/staff/admin");
  });
});
