/**
 * Rules for text a person types that other people's screens (and printers) show: one place, so
 * the table number a waiter types is checked the same way by orders and by billing.
 */

/** Any C0 control (tab and newline included), DEL, or C1 control: none belongs in a name or a table. */
const CONTROLS = "\\u0000-\\u001f\\u007f-\\u009f";

export const CONTROL_CHARACTER = new RegExp(`[${CONTROLS}]`);

/** Text with no control character at all, as a fastest-validator pattern. */
export const WITHOUT_CONTROL_CHARACTERS = new RegExp(`^[^${CONTROLS}]*$`);

/** A table as the floor names it ("12", "T4", "Terrace 2"): the same rule on every service. */
export const TABLE_RULE = { type: "string", trim: true, min: 1, max: 16, pattern: WITHOUT_CONTROL_CHARACTERS } as const;
