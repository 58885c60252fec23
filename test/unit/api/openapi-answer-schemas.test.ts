import { answerComponents, componentName } from "../../../services/api/openapi/answer-schemas";

describe("the answers' JSON Schema as OpenAPI components", () => {
  it("names a generic definition the way OpenAPI allows", () => {
    expect(componentName("Page<OrderView>")).toBe("PageOfOrderView");
    expect(componentName("Record<string,number>")).toBe("RecordOfstring_number");
    expect(componentName("OrderView")).toBe("OrderView");
  });

  it("points every $ref, however deep and however encoded, at components/schemas", () => {
    const { schemas, answerOf } = answerComponents({
      properties: { "orders.list": { $ref: "#/definitions/OrderPage" } },
      definitions: {
        OrderPage: { $ref: "#/definitions/Page%3COrderView%3E" },
        "Page<OrderView>": {
          type: "object",
          properties: { rows: { type: "array", items: { $ref: "#/definitions/OrderView" } } },
        },
        OrderView: { type: "object" },
      },
    });
    expect(Object.keys(schemas).sort()).toEqual(["OrderPage", "OrderView", "PageOfOrderView"]);
    expect(schemas.OrderPage).toEqual({ $ref: "#/components/schemas/PageOfOrderView" });
    expect(schemas.PageOfOrderView).toMatchObject({
      properties: { rows: { items: { $ref: "#/components/schemas/OrderView" } } },
    });
    expect(answerOf("orders.list")).toEqual({ $ref: "#/components/schemas/OrderPage" });
    expect(answerOf("orders.nothing")).toBeUndefined();
  });
});
