import fc from "fast-check";
import {
  applyPayment,
  checkRefund,
  dueCents,
  isCalendarDay,
  localDay,
  refundableCents,
} from "../../../services/billing/bill-math";

function thrown(fn: () => unknown): { code?: number; type?: string; data?: any; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: number; type?: string; message: string };
  }
  throw new Error("expected a throw");
}

describe("what is due", () => {
  it("is the total minus what was applied, never negative", () => {
    expect(dueCents({ totalCents: 4250, paidCents: 0 })).toBe(4250);
    expect(dueCents({ totalCents: 4250, paidCents: 1250 })).toBe(3000);
    expect(dueCents({ totalCents: 4250, paidCents: 4250 })).toBe(0);
  });
});

describe("a cash payment", () => {
  const bill = { totalCents: 4250, paidCents: 0 };

  it("gives change for what is handed over beyond the bill and the tip", () => {
    expect(applyPayment(bill, { method: "cash", amountCents: 5000, tipCents: 250 })).toEqual({
      appliedCents: 4250,
      tipCents: 250,
      changeCents: 500,
      paidInFull: true,
    });
  });

  it("settles exactly with no change", () => {
    expect(applyPayment(bill, { method: "cash", amountCents: 4250, tipCents: 0 })).toEqual({
      appliedCents: 4250,
      tipCents: 0,
      changeCents: 0,
      paidInFull: true,
    });
  });

  it("is a partial payment when it covers less than is due, and keeps its tip", () => {
    expect(applyPayment(bill, { method: "cash", amountCents: 2000, tipCents: 300 })).toEqual({
      appliedCents: 1700,
      tipCents: 300,
      changeCents: 0,
      paidInFull: false,
    });
  });

  it("finishes a partly paid bill and gives change on the rest only", () => {
    expect(
      applyPayment({ totalCents: 4250, paidCents: 4000 }, { method: "cash", amountCents: 1000, tipCents: 0 }),
    ).toEqual({
      appliedCents: 250,
      tipCents: 0,
      changeCents: 750,
      paidInFull: true,
    });
  });

  it("refuses a tip that is not less than the amount handed over (422, naming tipCents)", () => {
    const equal = thrown(() => applyPayment(bill, { method: "cash", amountCents: 500, tipCents: 500 }));
    expect(equal).toMatchObject({ code: 422, type: "VALIDATION_ERROR" });
    expect(equal.data[0].field).toBe("tipCents");
    expect(thrown(() => applyPayment(bill, { method: "cash", amountCents: 500, tipCents: 900 })).code).toBe(422);
  });

  it("refuses a payment on a bill with nothing due (409)", () => {
    expect(
      thrown(() =>
        applyPayment({ totalCents: 100, paidCents: 100 }, { method: "cash", amountCents: 100, tipCents: 0 }),
      ),
    ).toMatchObject({
      code: 409,
      type: "NOTHING_DUE",
    });
  });
});

describe("a card payment", () => {
  const bill = { totalCents: 4250, paidCents: 1000 };

  it("charges the due amount plus the tip, with no change", () => {
    expect(applyPayment(bill, { method: "card", amountCents: 3650, tipCents: 400 })).toEqual({
      appliedCents: 3250,
      tipCents: 400,
      changeCents: 0,
      paidInFull: true,
    });
  });

  it("may pay part of the bill", () => {
    expect(applyPayment(bill, { method: "card", amountCents: 1000, tipCents: 0 })).toEqual({
      appliedCents: 1000,
      tipCents: 0,
      changeCents: 0,
      paidInFull: false,
    });
  });

  it("refuses to charge more than is due plus the tip (409 OVERPAYMENT with the maximum)", () => {
    const err = thrown(() => applyPayment(bill, { method: "card", amountCents: 3651, tipCents: 400 }));
    expect(err).toMatchObject({ code: 409, type: "OVERPAYMENT" });
    expect(err.data).toEqual({ dueCents: 3250, maxAmountCents: 3650 });
  });
});

describe("payment invariants", () => {
  it("never applies more than is due, never gives change on a card, and the sums add up", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom("cash" as const, "card" as const),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (total, paidRaw, method, amount, tip) => {
          const paid = paidRaw % total; // something is still due
          try {
            const r = applyPayment(
              { totalCents: total, paidCents: paid },
              { method, amountCents: amount, tipCents: tip },
            );
            expect(r.appliedCents).toBeGreaterThan(0);
            expect(r.appliedCents).toBeLessThanOrEqual(total - paid);
            expect(r.appliedCents + r.tipCents + r.changeCents).toBe(amount);
            expect(r.paidInFull).toBe(paid + r.appliedCents === total);
            if (method === "card") expect(r.changeCents).toBe(0);
            if (r.changeCents > 0) expect(r.paidInFull).toBe(true);
          } catch (err) {
            const e = err as { type?: string };
            if (e.type === "OVERPAYMENT") expect(method === "card" && amount - tip > total - paid).toBe(true);
            else if (e.type === "VALIDATION_ERROR") expect(tip).toBeGreaterThanOrEqual(amount);
            else throw err;
          }
        },
      ),
    );
  });

  it("pays a bill off exactly through any sequence of partial cash payments", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(fc.integer({ min: 1, max: 30_000 }), { minLength: 1, maxLength: 20 }),
        (total, amounts) => {
          let paid = 0;
          let change = 0;
          let handed = 0;
          for (const amount of amounts) {
            if (paid === total) break;
            const r = applyPayment(
              { totalCents: total, paidCents: paid },
              { method: "cash", amountCents: amount, tipCents: 0 },
            );
            paid += r.appliedCents;
            change += r.changeCents;
            handed += amount;
          }
          expect(paid + change).toBe(handed);
          expect(paid === total).toBe(handed >= total);
          expect(change).toBe(Math.max(0, handed - total));
        },
      ),
    );
  });
});

describe("refunds", () => {
  it("may return what was paid minus what was already refunded, tips excluded", () => {
    expect(refundableCents({ paidCents: 4250, refundedCents: 0 })).toBe(4250);
    expect(refundableCents({ paidCents: 4250, refundedCents: 1000 })).toBe(3250);
    expect(() => checkRefund({ paidCents: 4250, refundedCents: 1000 }, 3250)).not.toThrow();
  });

  it("refuses an over-refund with 409 OVER_REFUND naming what is left", () => {
    const err = thrown(() => checkRefund({ paidCents: 4250, refundedCents: 1000 }, 3251));
    expect(err).toMatchObject({
      code: 409,
      type: "OVER_REFUND",
      data: { refundableCents: 3250, requestedCents: 3251 },
    });
  });

  it("refuses any refund on a bill with nothing paid", () => {
    expect(thrown(() => checkRefund({ paidCents: 0, refundedCents: 0 }, 1)).type).toBe("OVER_REFUND");
  });

  it("never lets refunds add up above what was paid", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.array(fc.integer({ min: 1, max: 50_000 }), { maxLength: 20 }),
        (paid, requests) => {
          let refunded = 0;
          for (const amount of requests) {
            try {
              checkRefund({ paidCents: paid, refundedCents: refunded }, amount);
              refunded += amount;
            } catch {
              /* refused: nothing refunded */
            }
          }
          expect(refunded).toBeLessThanOrEqual(paid);
        },
      ),
    );
  });
});

describe("calendar days", () => {
  it("writes the server's local day", () => {
    expect(localDay(new Date(2025, 0, 5, 23, 59))).toBe("2025-01-05");
    expect(localDay(new Date(2025, 11, 31, 0, 0))).toBe("2025-12-31");
  });

  it("accepts real days only", () => {
    expect(isCalendarDay("2024-02-29")).toBe(true);
    expect(isCalendarDay("2023-02-29")).toBe(false);
    expect(isCalendarDay("2024-13-01")).toBe(false);
    expect(isCalendarDay("2024-1-01")).toBe(false);
    expect(isCalendarDay("today")).toBe(false);
  });
});
