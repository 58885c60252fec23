/**
 * Rules for text a person types that other people's screens (and printers) show: one place, so
 * a table, a note or a reason is checked the same way by every service. A control character
 * is refused, never stripped: a kitchen screen or a receipt printer would act on it (ESC starts
 * a printer command), and the person who typed it is told which field to fix.
 */

/** Any C0 control (tab and newline included), DEL, or C1 control: none belongs in a name, a note or a table. */
const CONTROLS = "\\u0000-\\u001f\\u007f-\\u009f";

export const CONTROL_CHARACTER = new RegExp(`[${CONTROLS}]`);

/** Text with no control character at all, as a fastest-validator pattern. */
export const WITHOUT_CONTROL_CHARACTERS = new RegExp(`^[^${CONTROLS}]*$`);

/** One line of text a person types (a name, a note, a reason): trimmed, bounded, no control character. */
export function personText(min: number, max: number) {
  return {
    type: "string",
    trim: true,
    min,
    max,
    pattern: WITHOUT_CONTROL_CHARACTERS,
    messages: {
      stringPattern:
        "The '{field}' field must be one line of text without control characters (no line breaks, tabs or escapes).",
    },
  } as const;
}

/** A table as the floor names it ("12", "T4", "Terrace 2"): the same rule on every service. */
export const TABLE_RULE = personText(1, 16);
