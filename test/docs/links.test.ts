import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

// The README is the front page and docs/*.md are the guides: every relative link between them
// (and to the code they name) must lead somewhere, and every #anchor into a markdown file must
// name one of its headings.

const root = resolve(__dirname, "../..");
const readme = join(root, "README.md");
const guides = readdirSync(join(root, "docs"))
  .filter((name) => name.endsWith(".md"))
  .map((name) => join(root, "docs", name));
const pages = [readme, ...guides];

/** The text outside fenced code blocks and inline code spans, where links are links. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** GitHub's heading slug: lower case, punctuation dropped, each space a hyphen. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** Every anchor a markdown file offers, with GitHub's -1, -2 … for repeated headings. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  const text = readFileSync(file, "utf8").replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
  for (const match of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(match[1].replace(/`/g, ""));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  return found;
}

type Link = { page: string; target: string };

function relativeLinks(page: string): Link[] {
  const links: Link[] = [];
  for (const match of prose(readFileSync(page, "utf8")).matchAll(
    /\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g,
  )) {
    const target = match[1];
    if (/^(https?:|mailto:)/i.test(target)) continue;
    links.push({ page, target });
  }
  return links;
}

function problem({ page, target }: Link): string | undefined {
  const [path, anchor] = target.split("#", 2);
  const file = path === "" ? page : resolve(dirname(page), decodeURIComponent(path));
  const where = `${relative(root, page)}: (${target})`;
  if (!existsSync(file)) return `${where} → no such file ${relative(root, file)}`;
  if (anchor === undefined || !file.endsWith(".md") || statSync(file).isDirectory()) return undefined;
  if (!anchors(file).has(decodeURIComponent(anchor).toLowerCase())) {
    return `${where} → ${relative(root, file)} has no heading #${anchor}`;
  }
  return undefined;
}

describe("the README and the guides in docs/", () => {
  it("finds the guides", () => {
    expect(guides.length).toBeGreaterThanOrEqual(4);
  });

  it("makes GitHub's heading slugs", () => {
    expect(slug("Fault tolerance, as configured (moleculer.config.ts)")).toBe(
      "fault-tolerance-as-configured-moleculerconfigts",
    );
    expect(slug("A dinner rush: npm run rush")).toBe("a-dinner-rush-npm-run-rush");
    expect(slug("What survives what")).toBe("what-survives-what");
  });

  it.each(pages.map((page) => [relative(root, page), page]))(
    "%s: every relative link leads to a file, every #anchor to a heading",
    (_name, page) => {
      const problems = relativeLinks(page)
        .map(problem)
        .filter((p): p is string => p !== undefined);
      expect(problems).toEqual([]);
    },
  );

  it("keeps the README a front page: at most 300 lines", () => {
    const lines = readFileSync(readme, "utf8").replace(/\n$/, "").split("\n");
    expect(lines.length).toBeLessThanOrEqual(300);
  });

  it("links the README to at least four guides in docs/", () => {
    const linked = new Set(
      relativeLinks(readme)
        .map(({ target }) => target.split("#")[0])
        .filter((path) => /^(\.\/)?docs\/[^/]+\.md$/.test(path))
        .map((path) => path.replace(/^\.\//, "")),
    );
    expect(linked.size).toBeGreaterThanOrEqual(4);
    for (const path of linked) expect(existsSync(join(root, path))).toBe(true);
  });
});
