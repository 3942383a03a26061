/**
 * Runs this repository's compiled JavaScript for the Pulumi CLI, so that `pulumi preview` does
 * not type-check TypeScript on every run (ts-node with type checking costs seconds), and rebuilds
 * first when any source is newer than the build, so that an edited program is never deployed
 * from a stale `dist/`. `npm ci` builds once (the `prepare` script).
 *
 * Plain JavaScript on purpose: it runs before anything is compiled.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const root = path.resolve(__dirname, "..", "..");
const SOURCES = ["index.ts", "components", "environments", "policies", "testing", "tools", "tsconfig.json", "package.json"];

function newestSource(p) {
    let st;
    try {
        st = fs.statSync(p);
    } catch {
        return 0;
    }
    if (!st.isDirectory()) return /\.(ts|json)$/.test(p) && !p.endsWith(".d.ts") ? st.mtimeMs : 0;
    let newest = 0;
    for (const e of fs.readdirSync(p)) if (e !== "node_modules" && e !== "dist") newest = Math.max(newest, newestSource(path.join(p, e)));
    return newest;
}

/** Builds dist/ when it is missing or older than a source; throws with the compiler's output on errors. */
function ensureBuilt(entry) {
    const built = path.join(root, "dist", entry);
    let builtAt = 0;
    try {
        builtAt = fs.statSync(built).mtimeMs;
    } catch {
        // not built yet
    }
    const changed = Math.max(...SOURCES.map((s) => newestSource(path.join(root, s))));
    if (builtAt >= changed) return built;
    process.stderr.write(`rag-platform: ${builtAt ? "sources changed since the last build" : "no build yet"}: compiling (npm run build) ...\n`);
    const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
    const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.json")], { cwd: root, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`the TypeScript build failed (npm run build):\n${r.stdout}${r.stderr}`);
    // tsc leaves an unchanged output file alone: mark the build as current.
    const now = new Date();
    fs.utimesSync(built, now, now);
    return built;
}

module.exports = { ensureBuilt };
